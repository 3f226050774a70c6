// net_echo: a minimal ARP and ICMP echo responder on the first virtio-net device, so the
// host can ping the guest through a tap. Arguments: "ip=A.B.C.D" (default 198.18.0.2),
// "count=N" (exit 0 after answering N echo requests; default: until stopped),
// "registers" (initialise the device through its MMIO registers).
// Idle, it blocks in the wait hypercall: no exits while nothing arrives.
#include "args.h"
#include "rt/console.h"
#include "rt/hypercall.h"
#include "rt/string.h"
#include "virtio/net.h"

namespace {

constexpr uint16_t kEthArp = 0x0806, kEthIpv4 = 0x0800;

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
void put_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// RFC 1071 Internet checksum of `len` bytes.
uint16_t checksum(const uint8_t* p, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += be16(p + i);
  if (len & 1) sum += static_cast<uint32_t>(p[len - 1]) << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

bool parse_ip(const char* s, uint8_t out[4]) {
  for (int i = 0; i < 4; ++i) {
    unsigned v = 0;
    if (*s < '0' || *s > '9') return false;
    while (*s >= '0' && *s <= '9') v = v * 10 + static_cast<unsigned>(*s++ - '0');
    if (v > 255 || (i < 3 && *s++ != '.')) return false;
    out[i] = static_cast<uint8_t>(v);
  }
  return true;
}

class Responder final : public gnet::FrameSink {
 public:
  Responder(gnet::NetDevice& nic, const uint8_t ip[4]) : nic_(nic) {
    memcpy(ip_, ip, 4);
    nic.mac(mac_);
  }
  uint64_t echoes = 0, arps = 0;

  void on_frame(const uint8_t* f, size_t len) override {
    if (len < 14 || len > sizeof reply_) return;
    const uint16_t type = be16(f + 12);
    if (type == kEthArp && len >= 42) answer_arp(f);
    if (type == kEthIpv4 && len >= 34) answer_icmp(f, len);
  }

 private:
  void answer_arp(const uint8_t* f) {
    const uint8_t* a = f + 14;
    // Ethernet/IPv4 request (oper 1) for our address.
    if (be16(a) != 1 || be16(a + 2) != kEthIpv4 || a[4] != 6 || a[5] != 4 || be16(a + 6) != 1) return;
    if (memcmp(a + 24, ip_, 4) != 0) return;
    uint8_t* r = reply_;
    memcpy(r, f + 6, 6);
    memcpy(r + 6, mac_, 6);
    put_be16(r + 12, kEthArp);
    uint8_t* ra = r + 14;
    memcpy(ra, a, 6);
    put_be16(ra + 6, 2);             // reply
    memcpy(ra + 8, mac_, 6);         // sender: us
    memcpy(ra + 14, ip_, 4);
    memcpy(ra + 18, a + 8, 10);      // target: the requester's MAC and IP
    send(42);
    ++arps;
  }

  void answer_icmp(const uint8_t* f, size_t len) {
    const uint8_t* ip = f + 14;
    const size_t ihl = (ip[0] & 0x0f) * 4u;
    if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 1 || memcmp(ip + 16, ip_, 4) != 0) return;
    const size_t total = be16(ip + 2);
    if (total < ihl + 8 || 14 + total > len) return;
    const uint8_t* icmp = ip + ihl;
    if (icmp[0] != 8) return;  // echo request
    uint8_t* r = reply_;
    memcpy(r, f + 6, 6);
    memcpy(r + 6, mac_, 6);
    put_be16(r + 12, kEthIpv4);
    memcpy(r + 14, ip, 14 + total - 14);
    uint8_t* rip = r + 14;
    memcpy(rip + 12, ip + 16, 4);  // swap addresses
    memcpy(rip + 16, ip + 12, 4);
    rip[8] = 64;
    put_be16(rip + 10, 0);
    put_be16(rip + 10, checksum(rip, ihl));
    uint8_t* ricmp = rip + ihl;
    ricmp[0] = 0;  // echo reply
    put_be16(ricmp + 2, 0);
    put_be16(ricmp + 2, checksum(ricmp, total - ihl));
    send(14 + total);
    ++echoes;
  }

  void send(size_t len) {
    gnet::Slice s{reply_, len};
    if (!nic_.send(&s, 1)) {
      nic_.flush();
      nic_.send(&s, 1);
    }
  }

  gnet::NetDevice& nic_;
  uint8_t ip_[4];
  uint8_t mac_[6];
  uint8_t reply_[1600];
};

}  // namespace

extern "C" int main(int argc, char** argv) {
  uint8_t ip[4] = {198, 18, 0, 2};
  if (const char* s = vdrv_test::arg(argc, argv, "ip"); s && !parse_ip(s, ip)) {
    rt::printf("net_echo: bad ip=%s\n", s);
    return 2;
  }
  const uint64_t count = vdrv_test::arg_u64(argc, argv, "count", 0);
  const int index = vdrv::find_device(vdrv::kIdNet);
  const char* error = "no virtio-net device";
  gnet::NetDevice* nic =
      index < 0 ? nullptr : vdrv::Net::open(static_cast<uint32_t>(index), vdrv_test::flag(argc, argv, "registers"), &error);
  if (nic == nullptr) {
    rt::printf("net_echo: FAIL: %s\n", error);
    return 1;
  }
  uint8_t mac[6];
  nic->mac(mac);
  Responder responder(*nic, ip);
  rt::printf("net_echo: ready on %u.%u.%u.%u mac %02x:%02x:%02x:%02x:%02x:%02x\n", ip[0], ip[1], ip[2], ip[3], mac[0],
             mac[1], mac[2], mac[3], mac[4], mac[5]);
  rt::flush();
  rt::hc_boot_ready();
  for (;;) {
    const size_t n = nic->receive(responder, 64);
    nic->flush();
    if (count != 0 && responder.echoes >= count) break;
    if (n == 0 && (rt::hc_wait(UINT64_MAX) & VMM_WAIT_STOP_REQUESTED)) break;
  }
  rt::printf("net_echo: answered %lu echo requests and %lu ARP requests\n",
             static_cast<unsigned long>(responder.echoes), static_cast<unsigned long>(responder.arps));
  return 0;
}
