// create_device_guest() for Catch tests: a failure to create fails the test.
#pragma once

#include <catch2/catch.hpp>

#include "virtio_guest.h"

namespace vmm::virtio::test {

inline DeviceGuest make_device_guest(const std::string& image, const std::string& cmdline, std::vector<NetConfig> nets,
                                     std::vector<DiskConfig> disks) {
  auto g = create_device_guest(image, cmdline, std::move(nets), std::move(disks));
  if (!g) FAIL(g.error().message());
  return std::move(*g);
}

}  // namespace vmm::virtio::test
