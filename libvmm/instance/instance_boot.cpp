// The boot sequence of an instance, on the thread that called start()/run(): template,
// VM, RAM, vCPUs, boot data. Each step stamps its BootTimes phase.
#include <sys/random.h>

#include <fmt/format.h>

#include "arch/x86_64/cpu_bits.h"
#include "core/clock.h"
#include "instance/instance_impl.h"
#include "loader/image_internals.h"

namespace vmm {
namespace {

Result<std::array<uint8_t, 32>> fresh_entropy() {
  std::array<uint8_t, 32> bytes{};
  ssize_t n = ::getrandom(bytes.data(), bytes.size(), 0);
  if (n != static_cast<ssize_t>(bytes.size())) return Error::from_errno("getrandom for the guest entropy seed");
  return bytes;
}

}  // namespace

Result<void> Instance::Impl::build_vm() {
  ImageInternals& image = config.image->internals();
  driver = image.driver;
  tmpl = VMM_TRY(image.template_for(layout));

  vm_.emplace(VMM_TRY(Vm::create(config.kvm)));
  times.vm_created.store(monotonic_ns());

  ram = VMM_TRY(GuestRam::create(layout.ram_size, *tmpl, config.huge_pages));
  memory = ram.memory();
  VMM_TRY(vm_->set_memory_region(0, 0, ram.size(), ram.host()));
  times.memory_ready.store(monotonic_ns());

  VMM_TRY_CTX(setup_platform(), "setting up the platform");
  VMM_TRY_CTX(attach_devices(), "attaching devices");

  for (uint32_t i = 0; i < layout.vcpu_count; ++i) {
    auto slot = std::make_unique<VcpuSlot>(VMM_TRY(vm_->create_vcpu(i)));
    vcpus.push_back(std::move(slot));
  }
  Vcpu& boot = vcpus[0]->vcpu;
  times.vcpus_created.store(monotonic_ns());

  // Guest clock origin: the guest TSC (KVM may offset it from the host's) paired with
  // the host clocks.
  if (config.kvm->tsc_khz() == 0) config.kvm->note_tsc_khz(VMM_TRY(boot.tsc_khz()));
  tsc_hz = uint64_t{config.kvm->tsc_khz()} * 1000;
  boot_tsc = VMM_TRY(boot.get_msr(x86::kMsrIa32Tsc));
  boot_monotonic_ns = monotonic_ns();

  BootParams params;
  const std::string cmdline = effective_cmdline();
  params.cmdline = cmdline;
  std::vector<vmm_boot_device> lean_devices = devices.lean_descriptors();
  params.devices = lean_devices;
  params.entropy = VMM_TRY(fresh_entropy());
  params.tsc_hz = tsc_hz;
  params.guest_tsc = boot_tsc;
  params.wallclock_ns = realtime_ns();
  params.initrd_path = config.platform.initrd_path;
  const EntryArgs entry =
      VMM_TRY_CTX(driver->write_boot_params(memory, image, *tmpl, layout, params), "writing boot data");

  VMM_TRY_CTX(driver->setup_vcpu(boot, *config.kvm, *tmpl, layout, entry), "setting up vCPU 0");
  if (driver->starts_all_vcpus()) {
    for (size_t i = 1; i < vcpus.size(); ++i) {
      VMM_TRY_CTX(driver->setup_secondary_vcpu(vcpus[i]->vcpu, *config.kvm, *tmpl, layout),
                  fmt::format("setting up vCPU {}", i));
    }
  }
  times.vcpus_ready.store(monotonic_ns());
  vcpus_published.store(true, std::memory_order_release);
  return {};
}

std::string Instance::Impl::effective_cmdline() const {
  if (cmdline_extra.empty()) return config.cmdline;
  // Find the "--" token that starts the application arguments.
  const std::string& line = config.cmdline;
  size_t sep = std::string::npos;
  for (size_t p = line.find("--"); p != std::string::npos; p = line.find("--", p + 1)) {
    if ((p == 0 || line[p - 1] == ' ') && (p + 2 == line.size() || line[p + 2] == ' ')) {
      sep = p;
      break;
    }
  }
  std::string head = line.substr(0, sep == std::string::npos ? line.size() : sep);
  while (!head.empty() && head.back() == ' ') head.pop_back();
  std::string out = head.empty() ? cmdline_extra : head + " " + cmdline_extra;
  if (sep != std::string::npos) out += " " + line.substr(sep);
  return out;
}

void Instance::Impl::mark_boot_ready() {
  int64_t expected = 0;
  if (!times.boot_ready.compare_exchange_strong(expected, monotonic_ns())) return;
  stats.exits_at_boot_ready.store(stats.exits.load(std::memory_order_relaxed), std::memory_order_relaxed);
  if (config.on_boot_ready) config.on_boot_ready();
}

void Instance::Impl::console_output(std::string_view bytes) {
  // Deliver at most the remaining budget; the rest is counted as dropped.
  int64_t budget = console_budget.load(std::memory_order_relaxed);
  size_t deliver = std::min<size_t>(bytes.size(), budget > 0 ? static_cast<size_t>(budget) : 0);
  if (deliver > 0) {
    console_budget.fetch_sub(static_cast<int64_t>(deliver), std::memory_order_relaxed);
    if (config.console) config.console(bytes.substr(0, deliver));
    stats.console_bytes.fetch_add(deliver, std::memory_order_relaxed);
  }
  stats.console_dropped.fetch_add(bytes.size() - deliver, std::memory_order_relaxed);
}

}  // namespace vmm
