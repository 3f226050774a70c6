// Instances of the driver test guests with virtio devices, for the KVM tests and the
// benchmarks. The console is captured.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "guest_runner.h"
#include "vmm/instance.h"
#include "vmm/result.h"

namespace vmm::virtio::test {

struct DeviceGuest {
  std::unique_ptr<Instance> instance;
  std::shared_ptr<vmm::test::ConsoleCapture> console = std::make_shared<vmm::test::ConsoleCapture>();
};

// guests/<image> with `nets` and `disks`, not started. Exits 77 without /dev/kvm.
Result<DeviceGuest> create_device_guest(const std::string& image, const std::string& cmdline,
                                        std::vector<NetConfig> nets, std::vector<DiskConfig> disks,
                                        uint64_t memory = 8ull << 20);

}  // namespace vmm::virtio::test
