// Console output. Writes are buffered and sent to the VMM in batches (one exit per batch):
// the buffer is flushed when full, on flush(), before wait/boot-ready/exit and on panic.
#pragma once

#include <stddef.h>

namespace rt {
void console_write(const char* data, size_t length);
void print(const char* s);
void printf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void flush();
// Hands over what is buffered (valid until the next console call) and empties the
// buffer: for a VMM call that carries console bytes along (lean boot-ready).
size_t take_buffered(const char** data);
// Where the bytes go. Default: the lean console hypercall. A runtime entered another way
// (e.g. PVH under QEMU) installs a 16550 writer.
using ConsoleSink = void (*)(const char* data, size_t length);
void set_console_sink(ConsoleSink sink);
}  // namespace rt
