#include "rt/console.h"

#include <stdarg.h>

#include "rt/format.h"
#include "rt/hypercall.h"
#include "rt/string.h"

namespace rt {
namespace {

void hypercall_sink(const char* data, size_t length) {
  while (length > 0) {
    size_t chunk = length < VMM_CONSOLE_WRITE_MAX ? length : VMM_CONSOLE_WRITE_MAX;
    if (hc_console_write(data, chunk) < 0) return;  // over the VMM's cap: drop the rest
    data += chunk;
    length -= chunk;
  }
}

constexpr size_t kBufferSize = 4096;
char buffer[kBufferSize];
size_t buffered = 0;
ConsoleSink sink = hypercall_sink;

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
