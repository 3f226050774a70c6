#include "instance/lean_hypercalls.h"

#include <poll.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "boot/lean/lean_protocol.h"
#include "core/clock.h"
#include "instance/exit_report.h"
#include "instance/instance_impl.h"
#include "vmm/guest_abi.h"

namespace vmm {
namespace {

constexpr int64_t kOk = VMM_EOK;
constexpr int64_t kFault = -int64_t{VMM_EFAULT};
constexpr int64_t kInval = -int64_t{VMM_EINVAL};
constexpr int64_t kNoSys = -int64_t{VMM_ENOSYS};
constexpr int64_t kLimit = -int64_t{VMM_ELIMIT};
constexpr size_t kMaxWaitFds = 16;  // devices with an fd to wait on, per instance

// Copies the block at gpa; nullopt when it is not a valid block address.
template <class Block>
std::optional<Block> read_block(const GuestMemory& mem, uint64_t gpa) {
  if (!hypercall_block_ok(mem, gpa, sizeof(Block))) return std::nullopt;
  return mem.try_read<Block>(gpa);
}

int64_t console_write(Instance::Impl& inst, const vmm_hc_console_write& b) {
  int64_t checked = check_console_write(inst.memory, b.data, b.length);
  if (checked <= 0) return checked;
  if (inst.console_budget.load(std::memory_order_relaxed) <= 0) {
    inst.stats.console_dropped.fetch_add(b.length, std::memory_order_relaxed);
    return kLimit;
  }
  auto bytes = *inst.memory.try_span(b.data, b.length);
  inst.console_output({reinterpret_cast<const char*>(bytes.data()), bytes.size()});
  return checked;
}

// Blocks the vCPU until a device has work, a stop/kill is requested or the deadline
// (guest clock ns) passes. Returns VMM_WAIT_* events.
uint64_t wait_for_events(Instance::Impl& inst, VcpuSlot& slot, uint64_t deadline_ns) {
  inst.stats.waits.fetch_add(1, std::memory_order_relaxed);
  const int64_t host_deadline =
      deadline_ns >= static_cast<uint64_t>(INT64_MAX - inst.boot_monotonic_ns)
          ? INT64_MAX
          : inst.boot_monotonic_ns + static_cast<int64_t>(deadline_ns);
  auto sources = inst.devices.wait_sources();
  std::array<pollfd, kMaxWaitFds> fds;  // no allocation on this path
  nfds_t nfds = 0;
  for (const auto& s : sources) {
    if (s->poll_fd() >= 0 && nfds < fds.size()) fds[nfds++] = {s->poll_fd(), POLLIN, 0};
  }
  const int64_t started = monotonic_ns();
  uint64_t events = 0;
  for (;;) {
    if (inst.stop_requested.load()) events |= VMM_WAIT_STOP_REQUESTED;
    for (const auto& s : sources) {
      if (s->has_work() && s->process()) events |= VMM_WAIT_DEVICE;
    }
    if (events != 0 || inst.exiting.load()) break;
    const int64_t now = monotonic_ns();
    if (now >= host_deadline) {
      events |= VMM_WAIT_TIMEOUT;
      break;
    }
    const int64_t wait = host_deadline - now;
    timespec ts{wait / 1'000'000'000, wait % 1'000'000'000};
    int n = ::ppoll(fds.data(), nfds, host_deadline == INT64_MAX ? nullptr : &ts, &slot.wait_mask);
    if (n < 0 && errno == EINTR) {
      inst.consume_kick(slot);  // ppoll delivered it already; this clears immediate_exit
      if (inst.check_deadlines()) break;
      continue;
    }
    if (n > 0) {
      for (const auto& s : sources) {
        if (s->process()) events |= VMM_WAIT_DEVICE;
      }
    }
  }
  inst.stats.wait_blocked_ns.fetch_add(static_cast<uint64_t>(monotonic_ns() - started), std::memory_order_relaxed);
  return events;
}

int64_t cpu_start(Instance::Impl& inst, const vmm_hc_cpu_start& b) {
  if (b.cpu == 0 || b.cpu >= inst.vcpus.size()) return kInval;
  VcpuSlot& slot = *inst.vcpus[b.cpu];
  {
    std::lock_guard lock(inst.mutex);
    if (slot.started) return kInval;
    slot.started = true;
  }
  uint64_t rsp = (b.stack & ~uint64_t{15}) - 8;  // as if called
  auto setup = lean::setup_lean_vcpu(slot.vcpu, *inst.config.kvm, *inst.tmpl, inst.layout.vcpu_count, b.entry, rsp, b.arg);
  if (!setup) {
    inst.finish({ExitReason::VmmError, 0, setup.error().message(), {}});
    return kInval;
  }
  auto spawned = inst.spawn_vcpu_thread(slot);
  return spawned ? kOk : kInval;
}

void report_exception(Instance::Impl& inst, VcpuSlot& slot, uint64_t frame_gpa) {
  RegisterDump regs = slot.vcpu.dump_registers();
  auto frame = inst.memory.try_read<vmm_exception_frame>(frame_gpa);
  if (!frame) {
    inst.finish(crash_report(fmt::format("guest exception with an unreadable frame at {:#x}", frame_gpa), regs));
    return;
  }
  inst.finish(exception_report(*frame, regs.valid ? regs.sregs.cr2 : 0, regs));
}

}  // namespace

std::optional<unsigned> decode_hypercall(const VcpuExit::IoAccess& io) {
  if (io.port < VMM_HC_PORT_BASE || io.port >= VMM_HC_PORT_BASE + VMM_HC_PORT_COUNT) return std::nullopt;
  if (!io.is_write || io.size != 4 || io.count != 1) return std::nullopt;
  return io.port - VMM_HC_PORT_BASE;
}

bool hypercall_block_ok(const GuestMemory& mem, uint64_t gpa, uint64_t size) {
  return gpa % 8 == 0 && mem.contains(gpa, size);
}

int64_t check_console_write(const GuestMemory& mem, uint64_t data, uint64_t length) {
  if (length > VMM_CONSOLE_WRITE_MAX) return kInval;
  if (length == 0) return 0;
  return mem.contains(data, length) ? static_cast<int64_t>(length) : kFault;
}

bool handle_lean_hypercall(Instance::Impl& inst, VcpuSlot& slot, const VcpuExit::IoAccess& io) {
  if (io.port < VMM_HC_PORT_BASE || io.port >= VMM_HC_PORT_BASE + VMM_HC_PORT_COUNT) return false;
  inst.stats.hypercalls.fetch_add(1, std::memory_order_relaxed);
  auto nr = decode_hypercall(io);
  if (!nr) {
    if (!io.is_write) std::fill(io.data.begin(), io.data.end(), uint8_t{0xff});
    inst.stats.hypercalls_rejected.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  uint32_t gpa32;
  std::memcpy(&gpa32, io.data.data(), 4);
  const uint64_t gpa = gpa32;
  const GuestMemory& mem = inst.memory;
  auto reject = [&] { inst.stats.hypercalls_rejected.fetch_add(1, std::memory_order_relaxed); };
  auto set_result = [&](int64_t result) { mem.try_write(gpa, result); };

  switch (*nr) {
    case VMM_HC_CONSOLE_WRITE: {
      auto b = read_block<vmm_hc_console_write>(mem, gpa);
      if (!b) return reject(), true;
      set_result(console_write(inst, *b));
      return true;
    }
    case VMM_HC_EXIT: {
      auto b = read_block<vmm_hc_exit>(mem, gpa);
      if (!b) return reject(), true;
      inst.finish({ExitReason::GuestExit, b->status, fmt::format("guest exited with status {}", b->status), {}});
      return true;
    }
    case VMM_HC_BOOT_READY: {
      auto b = read_block<vmm_hc_boot_ready>(mem, gpa);
      if (!b) return reject(), true;
      const int64_t written = b->length == 0 ? kOk : console_write(inst, {0, b->data, b->length});
      inst.mark_boot_ready();  // even when the console bytes were refused
      // A server's first clients are often already waiting (a SYN in the tap): hand their
      // frames over now, so the guest finds them without another exit.
      for (const auto& source : inst.devices.wait_sources()) source->process();
      set_result(written);
      return true;
    }
    case VMM_HC_WAIT: {
      auto b = read_block<vmm_hc_wait>(mem, gpa);
      if (!b) return reject(), true;
      uint64_t events = wait_for_events(inst, slot, b->deadline_ns);
      mem.try_write(gpa + offsetof(vmm_hc_wait, events), events);
      set_result(kOk);
      return true;
    }
    case VMM_HC_CPU_START: {
      auto b = read_block<vmm_hc_cpu_start>(mem, gpa);
      if (!b) return reject(), true;
      set_result(cpu_start(inst, *b));
      return true;
    }
    case VMM_HC_NOTIFY: {
      auto b = read_block<vmm_hc_notify>(mem, gpa);
      if (!b) return reject(), true;
      auto lean_devices = inst.devices.lean_devices();
      set_result(b->device < lean_devices.size() ? lean_devices[b->device].notify(b->queue_mask) : kInval);
      return true;
    }
    case VMM_HC_EXCEPTION:
      report_exception(inst, slot, gpa);
      return true;
    default: {
      auto b = read_block<int64_t>(mem, gpa);
      if (!b) return reject(), true;
      reject();
      set_result(kNoSys);
      return true;
    }
  }
}

}  // namespace vmm
