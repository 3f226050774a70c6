// What the VMM told the guest at boot, and the command line split the way Unikraft does:
// "<runtime params> -- <application args>"; without a "--" token every token is an
// application argument. Tokens are separated by spaces; double quotes group.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_abi.h"

namespace rt {

// The boot information (a copy owned by the runtime), or nullptr when not booted by libvmm.
// Its command line has been split in place into the parameters and arguments below.
const vmm_boot_info* boot_info();
bool under_libvmm();

// Value of runtime parameter `name` ("netdev.ip" for "netdev.ip=..."), or nullptr.
const char* param(const char* name);

// Application arguments; argv[0] is the program name.
int argc();
char** argv();

// Devices in the boot device table.
uint32_t device_count();
const vmm_boot_device* device(uint32_t index);

// Parses command line `cmdline` in place into params and args. Exposed for tests.
struct Cmdline {
  static constexpr int kMaxParams = 32;
  static constexpr int kMaxArgs = 64;
  const char* param_names[kMaxParams];
  const char* param_values[kMaxParams];
  int param_count = 0;
  char* args[kMaxArgs + 1];
  int arg_count = 0;
};
void parse_cmdline(char* cmdline, const char* program_name, Cmdline* out);

}  // namespace rt
