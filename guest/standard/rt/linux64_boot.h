/* For guests entered through the Linux 64-bit protocol: the command line from the zero
 * page RSI points to (zero-page.rst: hdr.cmd_line_ptr at 0x228, ext_cmd_line_ptr at 0xc8). */
#ifndef LINUX64_BOOT_H
#define LINUX64_BOOT_H

#include "std_rt.h"

static inline const char* linux64_cmdline(const struct entry_state* e) {
  return (const char*)(uintptr_t)(PEEK(uint32_t, e->rsi + 0x228) | (uint64_t)PEEK(uint32_t, e->rsi + 0xc8) << 32);
}

#endif
