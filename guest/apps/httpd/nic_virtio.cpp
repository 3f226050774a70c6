// httpd's NIC when the image is built with the virtio drivers (guest/drivers): the first
// virtio-net device of the boot device table.
#include "nic.h"
#include "virtio/net.h"

gnet::NetDevice* httpd_open_nic() { return virtio_net_open_first(); }
