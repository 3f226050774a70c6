#include "virtio_guest.h"

#include "kvm_skip.h"
#include "vmm/image.h"

namespace vmm::virtio::test {

Result<DeviceGuest> create_device_guest(const std::string& image, const std::string& cmdline,
                                        std::vector<NetConfig> nets, std::vector<DiskConfig> disks, uint64_t memory) {
  DeviceGuest g;
  auto img = VMM_TRY(Image::open(vmm::test::guest_path(image + ".elf")));
  InstanceConfig config;
  config.kvm = vmm::test::kvm_or_skip();
  config.image = img;
  config.cmdline = cmdline;
  config.memory_bytes = memory;
  config.timeout = std::chrono::seconds(30);
  config.console = [c = g.console](std::string_view s) { c->append(s); };
  config.nets = std::move(nets);
  config.disks = std::move(disks);
  g.instance = VMM_TRY(Instance::create(std::move(config)));
  return g;
}

}  // namespace vmm::virtio::test
