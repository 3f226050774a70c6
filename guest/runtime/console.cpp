#include "rt/console.h"

#include <stdarg.h>

#include "rt/format.h"
#include "rt/platform.h"
#include "rt/string.h"

namespace rt {
namespace {

void platform_sink(const char* data, size_t length) { platform().console_write(data, length); }

constexpr size_t kBufferSize = 2048;
char buffer[kBufferSize];
size_t buffered = 0;
ConsoleSink sink = platform_sink;

}  // namespace

void set_console_sink(ConsoleSink s) {
  flush();
  sink = s;
}

void flush() {
  if (buffered == 0) return;
  sink(buffer, buffered);
  buffered = 0;
}

size_t take_buffered(const char** data) {
  *data = buffer;
  size_t n = buffered;
  buffered = 0;
  return n;
}

void console_write(const char* data, size_t length) {
  if (length >= kBufferSize) {
    flush();
    sink(data, length);
    return;
  }
  if (buffered + length > kBufferSize) flush();
  memcpy(buffer + buffered, data, length);
  buffered += length;
}

void print(const char* s) { console_write(s, strlen(s)); }

void printf(const char* fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  size_t n = vformat(line, sizeof line, fmt, ap);
  va_end(ap);
  console_write(line, n < sizeof line ? n : sizeof line - 1);
}

}  // namespace rt
