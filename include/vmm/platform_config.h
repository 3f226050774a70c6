// The emulated x86 platform for standard guests (Linux 64-bit, PVH, multiboot): interrupt
// controllers, legacy devices, initrd (docs/standard-guests.md). Lean guests have no
// platform; an initrd or serial input given to one is an error.
#pragma once

#include <string>

namespace vmm {

enum class IrqchipMode {
  Kernel,  // in-kernel PIC + IOAPIC + LAPIC (what Firecracker gives); closing costs more
  Split,   // LAPIC in the kernel, IOAPIC emulated by libvmm (edge-triggered), no PIC
  None,    // no interrupt controller (guests that poll); one vCPU only
};

struct PlatformConfig {
  IrqchipMode irqchip = IrqchipMode::Kernel;
  // i8254 PIT, emulated by KVM; it needs KVM's PIC, so only IrqchipMode::Kernel has one.
  // It is the costliest part of closing a VM (docs/standard-guests.md, measurements).
  bool pit = true;
  // Initial ramdisk (Linux) / first boot module (PVH, multiboot); "" for none. Read at
  // every start, placed at the top of RAM below 3 GiB.
  std::string initrd_path;
  // Bytes read from this fd reach the guest through the COM1 UART (a pipe, a tty, stdin);
  // -1 for none. The fd stays the embedder's and must stay open while the instance runs.
  int serial_input_fd = -1;
  // QEMU's isa-debug-exit convention at port 0xf4: a write of v ends the instance with
  // ExitReason::GuestExit and status (v << 1) | 1.
  bool debug_exit_port = true;
};

}  // namespace vmm
