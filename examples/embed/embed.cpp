// Boot a guest image from C++ with libvmm, print its console, report how it ended.
// Build: see examples/embed/CMakeLists.txt (find_package(vmm) + vmm::vmm).
#include <cstdio>
#include <string_view>

#include "vmm/image.h"
#include "vmm/instance.h"
#include "vmm/kvm.h"

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: %s IMAGE.elf [ARGS]\n", argv[0]), 2;
  auto kvm = vmm::Kvm::open();               // once per process, shared by all instances
  if (!kvm) return std::fprintf(stderr, "%s\n", kvm.error().message().c_str()), 1;
  auto image = vmm::Image::open(argv[1]);    // parsed and prepared once, booted many times
  if (!image) return std::fprintf(stderr, "%s\n", image.error().message().c_str()), 1;

  vmm::InstanceConfig config;
  config.kvm = *kvm;
  config.image = *image;
  config.memory_bytes = 8 << 20;
  config.cmdline = argc > 2 ? std::string("-- ") + argv[2] : "";
  config.console = [](std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); };
  auto instance = vmm::Instance::create(std::move(config));
  if (!instance) return std::fprintf(stderr, "%s\n", instance.error().message().c_str()), 1;

  auto exit = (*instance)->run();            // vCPU 0 runs on this thread until the guest ends
  if (!exit) return std::fprintf(stderr, "%s\n", exit.error().message().c_str()), 1;
  const vmm::BootTimes t = (*instance)->times();
  std::printf("%s: %s; boot-ready after %.3f ms\n", (*instance)->name().c_str(), exit->message.c_str(),
              static_cast<double>(t.boot_ready - t.start_called) / 1e6);
  return exit->reason == vmm::ExitReason::GuestExit ? static_cast<int>(exit->status) : 1;
}
