#pragma once

namespace rt {
// Prints "panic: <message>" to the console and exits with status 255.
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
}  // namespace rt

#define RT_ASSERT(cond) \
  ((cond) ? (void)0 : ::rt::panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__))
