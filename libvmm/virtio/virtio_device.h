// VirtioDevice: the transport-independent state of one virtio 1.2 device (status,
// features, queues, interrupt status) plus the virtio-mmio register file that drives it
// (mmio_transport.cpp), shared by the device types (blk_device.h, net_device.h).
//
// The guest is hostile: every register access and ring is checked; a misbehaving driver
// gets its write ignored and counted, or the device set to DEVICE_NEEDS_RESET (2.1.1),
// never a crash of the VMM. Errors name the device and the problem (stats().last_error).
//
// Threading: every entry point takes the device's mutex, so vCPU threads (MMIO exits,
// lean hypercalls) and the shared I/O thread (ioeventfd, tap) may call concurrently.
// Processing is run-to-completion on the calling thread (docs/io-model.md).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "devices/device.h"
#include "virtio/device_counters.h"
#include "virtio/virtqueue.h"
#include "vmm/guest_memory.h"
#include "vmm/unique_fd.h"

namespace vmm::virtio {

class VirtioDevice : public MmioDevice, public WaitSource {
 public:
  ~VirtioDevice() override { detach_io(); }
  VirtioDevice(const VirtioDevice&) = delete;
  VirtioDevice& operator=(const VirtioDevice&) = delete;

  std::string_view name() const override { return name_; }

  // The register file (4.2.2). Control registers accept only aligned 32-bit accesses
  // (4.2.2.2); the config space accepts 1, 2, 4 and 8-byte accesses inside it.
  void mmio_read(uint64_t offset, std::span<uint8_t> data) override;
  void mmio_write(uint64_t offset, std::span<const uint8_t> data) override;

  // The driver made buffers available on queue `q` (QueueNotify, an ioeventfd, the lean
  // notify hypercall): process it run-to-completion on this thread. Unknown or not-ready
  // queues are counted as register errors.
  void notify(uint32_t q);
  // notify() for every ready queue (one ioeventfd per device, no datamatch).
  void notify_all();
  // Where used-buffer and config-change interrupts go: an eventfd bound to a GSI with
  // KVM_IRQFD. Without one, InterruptStatus still records events (polling guests).
  void set_interrupt_fd(UniqueFd fd);

  // Keeps the device's tie to the shared I/O thread (an IoBinding, device_wiring.h; held
  // type-erased so the device core does not depend on KVM). The binding is dropped
  // (handlers stopped) before the device's own state is destroyed: final device types
  // call detach_io() first thing in their destructors.
  void attach_io(std::shared_ptr<void> binding) { io_ = std::move(binding); }
  void detach_io() { io_.reset(); }  // waits for a running handler; takes no device lock

  // Host-side readiness (the tap of a net device). host_fd() is -1 for devices without
  // one; `on_interest` is called (with the device's mutex held, so it must not call back)
  // whenever the device starts or stops wanting readiness of host_fd(): it stops while
  // the guest has no buffers to receive into.
  virtual int host_fd() const { return -1; }
  void set_host_interest_callback(std::function<void(bool)> on_interest);
  bool host_interest() const { return host_interest_.load(std::memory_order_relaxed); }
  // host_fd() is readable: move what is ready into the guest's rings.
  void on_host_ready();

  // WaitSource, for the lean wait hypercall: poll_fd() is host_fd() while the device
  // wants it, has_work() says whether work is pending without blocking.
  int poll_fd() const override;
  bool has_work() override;
  bool process() override;

  // Performs the driver's initialisation (3.1.1) on the guest's behalf, through the same
  // state machine the registers drive: reset, ACKNOWLEDGE, DRIVER, features (offered &
  // wanted), FEATURES_OK, the queues at `layouts`, DRIVER_OK. For lean guests.
  Result<void> preconfigure(uint64_t wanted_features, std::span<const Virtqueue::Layout> layouts);

  uint32_t device_id() const { return device_id_; }
  uint64_t offered_features() const { return offered_; }
  uint16_t queue_count() const { return static_cast<uint16_t>(queues_.size()); }
  uint16_t queue_max_size() const { return queue_max_; }
  std::span<const uint8_t> config_space() const { return config_; }
  uint64_t negotiated_features() const;
  uint32_t status() const;
  DeviceStats stats() const;

 protected:
  struct Identity {
    uint32_t device_id = 0;
    uint64_t features = 0;      // offered; VIRTIO_F_VERSION_1 is added
    uint16_t queue_count = 1;
    uint16_t queue_max = 256;
    std::vector<uint8_t> config;  // the device configuration space (read-only to the driver)
  };
  VirtioDevice(std::string name, Identity identity, const GuestMemory& mem);

  // ---- hooks for device types; all run with mu_ held --------------------------------------
  // Feature combinations the device refuses at FEATURES_OK (beyond unoffered bits):
  // nullptr when fine, else the reason.
  virtual const char* check_features(uint64_t) const { return nullptr; }
  // Available buffers on ready queue `q` of an active device.
  virtual void process_queue(uint16_t q) = 0;
  // host_fd() is readable; returns true when the guest got something new.
  virtual bool process_host() { return false; }
  // Host work that needs no waiting (e.g. a frame already read and now deliverable).
  virtual bool host_work_pending() { return false; }
  // DRIVER_OK was set: the negotiated features are final (e.g. tap offloads follow them).
  virtual void on_driver_ok() {}
  // After a reset (status 0 written): forget per-driver state.
  virtual void on_reset() {}

  // ---- helpers for device types ----------------------------------------------------------
  // The queue, or nullptr when it is not ready or the device is not running.
  Virtqueue* queue(uint16_t q);
  // Pops every available chain of queue `q`, hands each valid one to `handle` (which
  // returns the bytes it wrote into the chain), completes refused chains with 0 bytes,
  // publishes and interrupts once per batch, and re-arms notifications (2.7.10).
  void drain(uint16_t q, const std::function<uint32_t(const DescriptorChain&)>& handle);
  // Publishes queue `q`'s used elements; raises the used-buffer interrupt if wanted.
  void publish(Virtqueue& vq);
  // The driver broke the device's rules: DEVICE_NEEDS_RESET (2.1.2), config interrupt.
  void needs_reset(const std::string& why);
  // Counts an error and remembers "<device>: <what>".
  void error(const std::string& what);
  void set_host_interest(bool wanted);
  bool feature(unsigned bit) const { return (features_ >> bit) & 1; }

  DeviceCounters counters_;
  mutable std::mutex mu_;
  const GuestMemory mem_;

 private:
  struct QueueSlot {
    Virtqueue::Layout layout;
    bool ready = false;
    Virtqueue vq;
  };
  // mmio_transport.cpp
  uint32_t read_register(uint64_t offset);
  void write_register(uint64_t offset, uint32_t value);
  void register_error(const std::string& what);
  // virtio_device.cpp: the status state machine and queue activation.
  void write_status(uint32_t value);
  bool accept_features();
  void set_queue_ready(uint32_t q, bool ready);
  void reset();
  bool running() const;
  void raise_interrupt(uint32_t bits);

  const std::string name_;
  const uint32_t device_id_;
  const uint64_t offered_;
  const uint16_t queue_max_;
  const std::vector<uint8_t> config_;
  uint32_t status_ = 0;
  uint64_t driver_features_ = 0;  // as the driver wrote them
  uint64_t features_ = 0;         // negotiated: valid once FEATURES_OK is set
  uint32_t device_features_sel_ = 0;
  uint32_t driver_features_sel_ = 0;
  uint32_t queue_sel_ = 0;
  uint32_t interrupt_status_ = 0;
  std::vector<QueueSlot> queues_;
  UniqueFd irq_fd_;
  std::shared_ptr<void> io_;
  std::function<void(bool)> on_interest_;
  std::atomic<bool> host_interest_{true};
  std::atomic<bool> needs_reset_{false};
};

}  // namespace vmm::virtio
