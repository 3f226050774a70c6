// printf-style formatting into a buffer. Supports %d %i %u %x %X %o %c %s %p %% with the
// flags '-' '0', a width, a precision for %s (also '*'), and the l/ll/z length modifiers.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace rt {
// Writes at most size-1 characters and a NUL (when size > 0); returns the length the full
// output would have had.
size_t vformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t format(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));
}  // namespace rt
