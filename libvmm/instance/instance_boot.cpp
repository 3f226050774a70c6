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

  vm.emplace(VMM_TRY(Vm::create(config.kvm)));
  times.vm_created.store(monotonic_ns());

  ram = VMM_TRY(GuestRam::create(layout.ram_size, *tmpl));
  memory = ram.memory();
  VMM_TRY(vm->set_memory_region(0, 0, ram.size(), ram.host()));
  times.memory_ready.store(monotonic_ns());

  for (uint32_t i = 0; i < layout.vcpu_count; ++i) {
    auto slot = std::make_unique<VcpuSlot>(VMM_TRY(vm->create_vcpu(i)));
    vcpus.push_back(std::move(slot));
  }
  Vcpu& boot = vcpus[0]->vcpu;
  VMM_TRY_CTX(driver->setup_vcpu(boot, *config.kvm, *tmpl, layout), "setting up vCPU 0");
  times.vcpus_ready.store(monotonic_ns());

  // Guest clock origin: the guest TSC (KVM may offset it from the host's) paired with
  // the host clocks.
  if (config.kvm->tsc_khz() == 0) config.kvm->note_tsc_khz(VMM_TRY(boot.tsc_khz()));
  tsc_hz = uint64_t{config.kvm->tsc_khz()} * 1000;
  boot_tsc = VMM_TRY(boot.get_msr(x86::kMsrIa32Tsc));
  boot_monotonic_ns = monotonic_ns();

  BootParams params;
  params.cmdline = config.cmdline;
  std::vector<vmm_boot_device> lean_devices = devices.lean_descriptors();
  params.devices = lean_devices;
  params.entropy = VMM_TRY(fresh_entropy());
  params.tsc_hz = tsc_hz;
  params.guest_tsc = boot_tsc;
  params.wallclock_ns = realtime_ns();
  VMM_TRY_CTX(driver->write_boot_params(memory, image, *tmpl, layout, params), "writing boot data");
  times.boot_data_ready.store(monotonic_ns());
  return {};
}

}  // namespace vmm
