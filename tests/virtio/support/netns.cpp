#include "netns.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace vmm::virtio::test {
namespace {

uint16_t icmp_checksum(const uint8_t* p, size_t len) {
  uint32_t sum = 0;
  for (size_t i = 0; i + 1 < len; i += 2) sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (len & 1) sum += static_cast<uint32_t>(p[len - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

}  // namespace

std::optional<NetNamespace> NetNamespace::create() {
  static std::atomic<int> counter{0};
  const std::string name = "vmmvt" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  if (std::system(("ip netns add " + name).c_str()) != 0) {
    std::fprintf(stderr, "cannot create network namespace %s\n", name.c_str());
    return std::nullopt;
  }
  NetNamespace ns(name);
  ns.ip("link set lo up");
  // No IPv6 autoconfiguration chatter on the taps: the only traffic is the test's.
  [[maybe_unused]] int rc = std::system(
      ("ip netns exec " + name + " sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1")
          .c_str());
  return ns;
}

NetNamespace::~NetNamespace() {
  if (!name_.empty()) [[maybe_unused]] int rc = std::system(("ip netns del " + name_).c_str());
}

bool NetNamespace::ip(const std::string& args) const {
  return std::system(("ip -n " + name_ + " " + args + " >/dev/null 2>&1").c_str()) == 0;
}

void NetNamespace::inside(const std::function<void()>& fn) const {
  std::thread t([&] {
    const int fd = ::open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || ::setns(fd, CLONE_NEWNET) != 0) std::abort();  // host-side test setup
    ::close(fd);
    fn();
  });
  t.join();
}

UniqueFd NetNamespace::open_tap(const std::string& tap) const {
  UniqueFd result;
  inside([&] {
    UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    ifreq ifr{};
    std::strncpy(ifr.ifr_name, tap.c_str(), IFNAMSIZ - 1);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (fd && ::ioctl(fd.get(), TUNSETIFF, &ifr) == 0) result = std::move(fd);
  });
  return result;
}

int NetNamespace::ping(const std::string& ip, int count, int interval_ms, int timeout_ms) const {
  int replies = 0;
  inside([&] {
    UniqueFd s(::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
    if (!s) return;
    sockaddr_in to{};
    to.sin_family = AF_INET;
    ::inet_pton(AF_INET, ip.c_str(), &to.sin_addr);
    const uint16_t id = static_cast<uint16_t>(::getpid());
    bool seen[256] = {};
    auto deadline = std::chrono::steady_clock::now();
    for (int seq = 0; seq < count || std::chrono::steady_clock::now() < deadline;) {
      if (seq < count) {
        uint8_t pkt[64] = {};
        pkt[0] = ICMP_ECHO;
        pkt[4] = static_cast<uint8_t>(id >> 8), pkt[5] = static_cast<uint8_t>(id);
        pkt[6] = static_cast<uint8_t>(seq >> 8), pkt[7] = static_cast<uint8_t>(seq);
        const uint16_t c = icmp_checksum(pkt, sizeof pkt);
        std::memcpy(pkt + 2, &c, 2);
        ::sendto(s.get(), pkt, sizeof pkt, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
        ++seq;
        deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(seq < count ? interval_ms : timeout_ms);
      }
      pollfd p{s.get(), POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 0))) <= 0) continue;
      uint8_t buf[1500];
      const ssize_t n = ::recv(s.get(), buf, sizeof buf, 0);
      if (n < 28) continue;
      const size_t ihl = (buf[0] & 0x0f) * 4u;
      const uint8_t* icmp = buf + ihl;
      if (static_cast<size_t>(n) < ihl + 8 || icmp[0] != ICMP_ECHOREPLY) continue;
      if ((icmp[4] << 8 | icmp[5]) != id) continue;
      const int seq_seen = icmp[6] << 8 | icmp[7];
      if (seq_seen < 256 && !seen[seq_seen]) seen[seq_seen] = true, ++replies;
      if (replies == count) break;
    }
  });
  return replies;
}

}  // namespace vmm::virtio::test
