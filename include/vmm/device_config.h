// Devices an instance can be given: virtio-mmio (virtio 1.2, modern) block and network
// devices. See docs/virtio.md for what the guest sees and docs/io-model.md for which
// thread does the I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace vmm {

// A virtio-net device backed by a tap interface.
struct NetConfig {
  // Open this tap by name (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR; needs CAP_NET_ADMIN unless
  // the tap is persistent and owned by the caller), or
  std::string tap_name;
  // use this already-open tap fd: an unprivileged embedder opens (or is handed) the tap
  // and passes it in. libvmm duplicates it (O_CLOEXEC); the caller keeps its own fd.
  // The tap must have IFF_TAP | IFF_NO_PI | IFF_VNET_HDR; libvmm sets the vnet header
  // size (12) and non-blocking mode on the shared open file description.
  int tap_fd = -1;
  std::optional<std::array<uint8_t, 6>> mac;  // default: a random locally administered MAC
};

// A virtio-blk device backed by a raw image file. Its size must be a multiple of 512.
struct DiskConfig {
  std::string path;
  bool read_only = false;
};

// Counters of one device, readable while the instance runs (a consistent-enough snapshot:
// each counter is read atomically, not all of them at one instant).
struct DeviceStats {
  std::string name;          // e.g. "virtio-net0 (tap vmm0)", "virtio-blk1 (disk.img)"
  uint64_t rx_packets = 0;   // net: frames delivered to the guest
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;   // net: frames sent by the guest
  uint64_t tx_bytes = 0;
  uint64_t rx_dropped = 0;   // net: frames dropped (larger than the guest's buffers)
  uint64_t tx_dropped = 0;   // net: frames the tap refused or that were malformed
  uint64_t rx_stalls = 0;    // net: times the guest had no rx buffers (tap reads paused)
  uint64_t requests = 0;     // blk: requests completed (any status)
  uint64_t read_bytes = 0;
  uint64_t write_bytes = 0;
  uint64_t flushes = 0;
  uint64_t errors = 0;       // requests completed with an error status, refused chains
  uint64_t register_errors = 0;  // MMIO accesses the spec forbids (ignored), bad status writes
  uint64_t notifications = 0;    // guest-to-device notifications (exits, hypercalls, eventfds)
  uint64_t interrupts = 0;       // device-to-guest interrupts raised
  bool needs_reset = false;      // the device set DEVICE_NEEDS_RESET (guest misbehaved)
  std::string last_error;        // the latest error, naming the device and the problem
};

}  // namespace vmm
