// What the network stack takes from its environment: fixed-width integers and the mem*
// functions. Guest builds get the latter from the runtime (rt/string.h); host builds (unit
// tests, fuzzers, the TAP harness), compiled with GNET_HOST defined, from the C library.
// Nothing else of either environment is used: time is passed in, memory is static.
#pragma once

#include <stddef.h>
#include <stdint.h>

#if defined(GNET_HOST)
#include <string.h>
#else
#include "rt/string.h"
#endif

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the stack assumes a little-endian CPU");
