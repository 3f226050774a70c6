// What a device may ask of the instance it belongs to. Implemented by the instance;
// handed to devices when they are created. All calls are thread-safe.
#pragma once

#include <string_view>

#include "vmm/guest_memory.h"
#include "vmm/instance.h"

namespace vmm {

class Vm;

class DeviceHost {
 public:
  virtual const GuestMemory& guest_memory() const = 0;
  virtual Vm& vm() = 0;
  // Ends the instance with `info` (guest reset, power-off, ...); the first end wins.
  virtual void request_exit(ExitInfo info) = 0;
  // The guest signalled it is up (boot-timer device): stamps BootTimes::boot_ready once.
  virtual void mark_boot_ready() = 0;
  // Guest console bytes (e.g. from the UART), subject to the console limit.
  virtual void console_output(std::string_view bytes) = 0;

 protected:
  ~DeviceHost() = default;
};

}  // namespace vmm
