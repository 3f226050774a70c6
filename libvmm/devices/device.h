// Interfaces between the vCPU exit loop and emulated devices.
//
// Threading contract: a device's handlers run on the thread of the vCPU that exited
// (libvmm's vCPU thread, or the embedder's thread for Instance::run()). With more than one
// vCPU, handlers of the same device may run concurrently: a device guards shared state.
// Handlers never block for long: I/O that may block (tap, disk) is non-blocking or bounded.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace vmm {

// A device decoded from an MMIO exit. offset is relative to the device's base; data.size()
// is the access width (1, 2, 4 or 8). Reads fill data; a device that has nothing at offset
// fills zeros. Accesses are guest-controlled: check offset and width.
class MmioDevice {
 public:
  virtual ~MmioDevice() = default;
  virtual std::string_view name() const = 0;
  virtual void mmio_read(uint64_t offset, std::span<std::uint8_t> data) = 0;
  virtual void mmio_write(uint64_t offset, std::span<const std::uint8_t> data) = 0;
};

// A device on x86 port I/O. port is relative to the device's first port.
class PioDevice {
 public:
  virtual ~PioDevice() = default;
  virtual std::string_view name() const = 0;
  virtual void pio_read(uint16_t port, std::span<std::uint8_t> data) = 0;
  virtual void pio_write(uint16_t port, std::span<const std::uint8_t> data) = 0;
};

// A device with host-side work (a readable tap, a completed disk request) that the vCPU
// must learn about while it blocks in the lean `wait` hypercall.
// poll_fd(): an fd to include in the wait's ppoll (POLLIN), or -1 for none.
// has_work(): true when guest-visible work is pending without blocking (e.g. rx data
//   already queued host-side).
// process(): run to completion on the vCPU thread: move what is ready into the guest's
//   rings. Returns true when the guest has something new to look at.
class WaitSource {
 public:
  virtual ~WaitSource() = default;
  virtual int poll_fd() const = 0;
  virtual bool has_work() = 0;
  virtual bool process() = 0;
};

}  // namespace vmm
