// ram_overrun: writes one page past the end of its RAM. Nothing is mapped there: the
// write faults (#PF) and the VMM reports it; no host memory is touched.
#include "rt/boot.h"
#include "rt/console.h"

extern "C" int main(int, char**) {
  uint64_t end = rt::boot_info()->ram_size;
  rt::printf("ram_overrun: writing at %#lx (RAM ends at %#lx)\n", (unsigned long)(end + 4096),
             (unsigned long)end);
  rt::flush();
  *reinterpret_cast<volatile uint64_t*>(end + 4096) = 0x4141414141414141ull;
  rt::print("ram_overrun: write went through\n");
  return 1;
}
