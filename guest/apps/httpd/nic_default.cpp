// The fallback when no NIC driver is linked into the image: no device.
#include "nic.h"

__attribute__((weak)) gnet::NetDevice* httpd_open_nic() { return nullptr; }
