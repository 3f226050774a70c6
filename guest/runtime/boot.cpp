// Lean-ABI start: validate and copy the boot info, set up clock, heap and command line,
// run constructors, call main, exit with its status.
#include "rt/boot.h"

#include <stdarg.h>

#include "rt/console.h"
#include "rt/format.h"
#include "rt/heap.h"
#include "rt/hypercall.h"
#include "rt/panic.h"
#include "rt/platform.h"
#include "rt/string.h"
#include "rt/time.h"

extern "C" int main(int argc, char** argv);
extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
extern "C" char __image_start[], __image_end[];

// The program name (argv[0]); guests built by vmm_add_guest get their target name.
extern "C" __attribute__((weak)) const char vmm_program_name[] = "guest";

namespace rt {
namespace {

// Kept small: every page the guest touches at boot costs a page fault in the host.
vmm_boot_info info;
bool have_info = false;
Cmdline cmdline;
// The device table stays where the VMM put it (boot data is not reused by the VMM).
const vmm_boot_device* devices = nullptr;
uint32_t devices_count = 0;

void run_constructors() {
  for (auto* f = __init_array_start; f != __init_array_end; ++f) (*f)();
}

}  // namespace

const vmm_boot_info* boot_info() { return have_info ? &info : nullptr; }
bool under_libvmm() { return have_info; }

const char* param(const char* name) {
  for (int i = 0; i < cmdline.param_count; ++i) {
    if (strcmp(cmdline.param_names[i], name) == 0) return cmdline.param_values[i];
  }
  return nullptr;
}

int argc() { return cmdline.arg_count; }
char** argv() { return cmdline.args; }
uint32_t device_count() { return devices_count; }
const vmm_boot_device* device(uint32_t index) { return index < devices_count ? &devices[index] : nullptr; }

[[noreturn]] void panic(const char* fmt, ...) {
  char message[512];
  va_list ap;
  va_start(ap, fmt);
  vformat(message, sizeof message, fmt, ap);
  va_end(ap);
  print("panic: ");
  print(message);
  print("\n");
  flush();
  platform().exit(255);
  __builtin_unreachable();
}

}  // namespace rt

extern "C" [[noreturn]] void exit(int status) {
  rt::flush();
  rt::platform().exit(status);
  __builtin_unreachable();
}

extern "C" [[noreturn]] void vmm_runtime_start(const vmm_boot_info* bi) {
  using namespace rt;
  if (bi == nullptr || bi->magic != VMM_BOOT_INFO_MAGIC || bi->version != VMM_ABI_VERSION) {
    lean::exit(254);  // nothing else can be trusted; the console may not even work
  }
  run_constructors();  // before anything below assigns to statics they would reset
  info = *bi;
  have_info = true;
  if (info.hypercall_port_count == 0) use_fallback_platform();  // booted through PVH
  set_clock(info.tsc_hz, info.boot_tsc, info.boot_wallclock_ns);

  const auto* regions = reinterpret_cast<const vmm_mem_region*>(info.memmap);
  for (uint32_t i = 0; i < info.memmap_count; ++i) {
    if (regions[i].type == VMM_MEM_FREE) heap_add_region(regions[i].base, regions[i].size);
  }
  devices = reinterpret_cast<const vmm_boot_device*>(info.devices);
  devices_count = info.devices != 0 ? info.device_count : 0;

  // The command line is split in place: the VMM's boot data (lean: the top page of RAM,
  // shared with the stack; PVH: pvh_boot's copy) is the guest's to reuse.
  static char empty[1] = "";
  char* line = info.cmdline != 0 ? reinterpret_cast<char*>(info.cmdline) : empty;
  line[info.cmdline_length] = '\0';
  parse_cmdline(line, vmm_program_name, &cmdline);
  exit(main(cmdline.arg_count, cmdline.args));
}
