// Where httpd gets its network device. The image carries a weak default that returns
// nullptr (httpd then reports "no network device" and exits 1); the NIC driver or the
// integrator provides the strong definition, e.g. probing virtio-net from the boot device
// table. Because a weak definition in the image keeps the linker from pulling a strong one
// out of a static library, the strong definition must come as an object file or a
// whole-archive library: see VMM_HTTPD_NIC_SOURCES / VMM_HTTPD_NIC_LIBS in
// guest/apps/httpd/CMakeLists.txt.
#pragma once

#include "drivers/net_device.h"

// Opens (probes and initialises) the NIC httpd serves on; nullptr when there is none.
gnet::NetDevice* httpd_open_nic();
