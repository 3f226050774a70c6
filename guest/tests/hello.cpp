// hello: prints its arguments and exits with the status given as "exit=N" (default 0).
#include "rt/boot.h"
#include "rt/console.h"
#include "rt/hypercall.h"

namespace {
int parse_int(const char* s) {
  int sign = 1, v = 0;
  if (*s == '-') sign = -1, ++s;
  while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
  return sign * v;
}
}  // namespace

extern "C" int main(int argc, char** argv) {
  rt::hc_boot_ready();
  int status = 0;
  rt::printf("Hello from %s (libvmm lean ABI v%u)\n", argv[0], VMM_ABI_VERSION);
  for (int i = 1; i < argc; ++i) {
    rt::printf("argv[%d] = %s\n", i, argv[i]);
    if (argv[i][0] == 'e' && argv[i][1] == 'x' && argv[i][2] == 'i' && argv[i][3] == 't' && argv[i][4] == '=')
      status = parse_int(argv[i] + 5);
  }
  return status;
}
