// Measures what each interrupt-controller mode costs to create and to tear down
// (docs/standard-guests.md, "Measurements"): raw KVM (VM + irqchip/PIT + one vCPU, then
// close) and whole instances of the linux64 check guest (start to exit, then the
// destructor). Prints medians; not a test (timings are meaningless under load).
//   standard_platform_cost [ROUNDS]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "kvm_skip.h"
#include "vmm/image.h"
#include "vmm/instance.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

using namespace vmm;

namespace {

struct Mode {
  const char* name;
  IrqchipMode irqchip;
  bool pit;
};
constexpr Mode kModes[] = {{"kernel+pit", IrqchipMode::Kernel, true},
                           {"kernel", IrqchipMode::Kernel, false},
                           {"split", IrqchipMode::Split, false},
                           {"none", IrqchipMode::None, false}};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double ms_since(int64_t t0) { return static_cast<double>(monotonic_ns() - t0) / 1e6; }

// Between rounds: lets the kernel finish work a teardown left behind (RCU callbacks,
// worker threads), so each round starts from a quiet state.
void settle() { std::this_thread::sleep_for(std::chrono::milliseconds(30)); }

void raw_kvm(const std::shared_ptr<const Kvm>& kvm, const Mode& m, int rounds) {
  std::vector<double> create, close;
  for (int i = 0; i < rounds; ++i) {
    int64_t t0 = monotonic_ns();
    auto created = Vm::create(kvm);
    if (!created) {
      std::printf("%s\n", created.error().message().c_str());
      return;
    }
    std::optional<Vm> vm(std::move(*created));
    Result<void> r;
    if (m.irqchip == IrqchipMode::Kernel) r = vm->create_irqchip();
    if (m.irqchip == IrqchipMode::Split) r = vm->enable_split_irqchip(24);
    if (r && m.pit) r = vm->create_pit2();
    if (!r) {
      std::printf("%-10s %s\n", m.name, r.error().message().c_str());
      return;
    }
    auto v = vm->create_vcpu(0);
    if (!v) return;
    std::optional<Vcpu> vcpu(std::move(*v));
    create.push_back(ms_since(t0));
    t0 = monotonic_ns();
    vcpu.reset();
    vm.reset();
    close.push_back(ms_since(t0));
    settle();
  }
  std::printf("raw KVM    %-10s create %7.3f ms   close %7.3f ms\n", m.name, median(create), median(close));
}

void instance(const std::shared_ptr<const Kvm>& kvm, const std::shared_ptr<const Image>& image, const Mode& m,
              int rounds) {
  std::vector<double> build, run, destroy;
  for (int i = 0; i < rounds; ++i) {
    InstanceConfig c;
    c.kvm = kvm;
    c.image = image;
    c.cmdline = "ram=16777216";
    c.platform.irqchip = m.irqchip;
    c.platform.pit = m.pit;
    auto inst = Instance::create(std::move(c));
    const int64_t t0 = monotonic_ns();
    auto exit = (*inst)->run();
    run.push_back(ms_since(t0));
    const BootTimes t = (*inst)->times();
    build.push_back(static_cast<double>(t.vcpus_ready - t.start_called) / 1e6);
    const int64_t t1 = monotonic_ns();
    inst->reset();
    destroy.push_back(ms_since(t1));
    if (!exit || exit->reason != ExitReason::GuestExit) std::printf("  unexpected exit\n");
    settle();
  }
  std::printf("instance   %-10s build %7.3f ms   run to exit %7.3f ms   destructor %7.3f ms\n", m.name,
              median(build), median(run), median(destroy));
}

}  // namespace

int main(int argc, char** argv) {
  const int rounds = argc > 1 ? std::max(1, std::atoi(argv[1])) : 31;
  auto kvm = test::kvm_or_skip();
  auto image = Image::open(test::guest_path("std_linux64_check.elf"));
  if (!image) {
    std::fprintf(stderr, "%s\n", image.error().message().c_str());
    return 1;
  }
  std::printf("medians of %d rounds\n", rounds);
  for (const Mode& m : kModes) raw_kvm(kvm, m, rounds);
  for (const Mode& m : kModes) instance(kvm, *image, m, rounds);
  return 0;
}
