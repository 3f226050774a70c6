// exception: takes the CPU exception named on the command line ("ud", "pf", "gp", "de",
// "bp"); the VMM must report it as a crash with vector, RIP and (for #PF) CR2.
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/string.h"

#include <stdint.h>

extern "C" int main(int argc, char** argv) {
  const char* kind = argc > 1 ? argv[1] : "ud";
  rt::printf("exception: raising %s\n", kind);
  rt::flush();
  if (strcmp(kind, "pf") == 0) {
    *reinterpret_cast<volatile int*>(0xdead0000) = 1;  // not mapped
  } else if (strcmp(kind, "gp") == 0) {
    __asm__ volatile("cli");  // privileged at CPL3 without IOPL
  } else if (strcmp(kind, "de") == 0) {
    uint32_t zero = 0, result;
    __asm__ volatile("xorl %%edx, %%edx; movl $1, %%eax; divl %1" : "=&a"(result) : "m"(zero) : "rdx");
    (void)result;
  } else if (strcmp(kind, "bp") == 0) {
    __asm__ volatile("int3");
  } else {
    __asm__ volatile("ud2");
  }
  rt::print("exception: still alive?\n");
  return 1;
}
