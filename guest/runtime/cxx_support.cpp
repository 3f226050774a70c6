// The C++ ABI pieces a freestanding image needs: operator new/delete on the runtime heap,
// pure-virtual and atexit hooks, and the stack-protector symbol (unused: guests build
// with -fno-stack-protector).
#include <stddef.h>

#include "rt/heap.h"
#include "rt/panic.h"

void* operator new(size_t size) {
  void* p = malloc(size);
  if (p == nullptr) rt::panic("out of memory (new %zu bytes)", size);
  return p;
}
void* operator new[](size_t size) { return operator new(size); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, size_t) noexcept { free(p); }
void operator delete[](void* p, size_t) noexcept { free(p); }

extern "C" {
void* __dso_handle = nullptr;
// Static destructors never run: a guest ends with the exit hypercall.
int __cxa_atexit(void (*)(void*), void*, void*) { return 0; }
void __cxa_pure_virtual() { rt::panic("pure virtual function called"); }
}
