// A small first-fit heap over the FREE memory regions of the boot memory map (16-byte
// aligned blocks, coalescing free; blocks of 16 KiB and more are page-aligned and taken
// from the top without touching them). Not thread-safe: guests are single-threaded unless
// they start more vCPUs and lock themselves.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace rt {
void heap_add_region(uintptr_t base, size_t size);
size_t heap_free_bytes();
}  // namespace rt

extern "C" {
void* malloc(size_t size);
void* calloc(size_t count, size_t size);
void free(void* p);
}
