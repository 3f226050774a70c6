#include "netlab.h"

#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "host.h"
#include "process.h"

namespace coldstart {
namespace {

constexpr uint32_t kNetBase = (198u << 24) | (18u << 16);  // 198.18.0.0/15
constexpr uint32_t kFirstGuest = 16;
constexpr const char* kNeighDir = "/proc/sys/net/ipv4/neigh/default/";

}  // namespace

uint32_t Addressing::host_ip() { return kNetBase | 1; }
uint32_t Addressing::guest_ip(uint32_t index) { return kNetBase + kFirstGuest + index; }
uint32_t Addressing::max_instances() { return (1u << (32 - kPrefix)) - kFirstGuest - 1; }
std::string Addressing::tap_name(uint32_t index) { return fmt::format("cs{}", index); }

std::array<uint8_t, 6> Addressing::guest_mac(uint32_t index) {
  const uint32_t ip = guest_ip(index);
  return {0x02, 0x00, static_cast<uint8_t>(ip >> 24), static_cast<uint8_t>(ip >> 16), static_cast<uint8_t>(ip >> 8),
          static_cast<uint8_t>(ip)};
}

std::string Addressing::ip_text(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

std::string Addressing::mac_text(const std::array<uint8_t, 6>& m) {
  return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", m[0], m[1], m[2], m[3], m[4], m[5]);
}

TemplateVars Addressing::template_vars(uint32_t index) {
  const uint32_t mask = ~0u << (32 - kPrefix);
  return {{"ip", ip_text(guest_ip(index))},   {"prefix", std::to_string(kPrefix)},
          {"gw", ip_text(host_ip())},         {"netmask", ip_text(mask)},
          {"mac", mac_text(guest_mac(index))}, {"index", std::to_string(index)},
          {"tap", tap_name(index)}};
}

vmm::Result<std::unique_ptr<NetLab>> NetLab::create(const std::string& name, uint32_t max_instances) {
  if (max_instances > Addressing::max_instances()) {
    return vmm::Error(fmt::format("{} instances do not fit in 198.18.0.0/15 (at most {})", max_instances,
                                  Addressing::max_instances()));
  }
  vmm::UniqueFd home(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!home) return vmm::Error::from_errno("opening /proc/self/ns/net");
  for (const auto& ns : stale_harness_entries("/run/netns")) {  // left by a harness that was killed
    if (run_command({"ip", "netns", "del", ns})) fmt::print(stderr, "removed stale namespace {}\n", ns);
  }
  std::unique_ptr<NetLab> lab(new NetLab(name, std::move(home)));
  // The neighbour table (and its thresholds) is shared by all namespaces and its sysctls
  // exist only in the initial one: raise them before leaving it. Permanent entries are
  // exempt from garbage collection on current kernels, but the thresholds bound the table.
  const int64_t need = int64_t{max_instances} + 1024;
  VMM_TRY(lab->raise_sysctl(std::string(kNeighDir) + "gc_thresh3", need * 2));
  VMM_TRY(lab->raise_sysctl(std::string(kNeighDir) + "gc_thresh2", need * 2));
  VMM_TRY(lab->raise_sysctl(std::string(kNeighDir) + "gc_thresh1", need));
  VMM_TRY_CTX(run_command({"ip", "netns", "add", name}), "creating the network namespace");
  lab->created_ = true;
  const std::string path = "/run/netns/" + name;
  vmm::UniqueFd ns(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return vmm::Error::from_errno("opening " + path);
  if (::setns(ns.get(), CLONE_NEWNET) != 0) return vmm::Error::from_errno("entering network namespace " + name);

  // New interfaces inherit "default": the taps come up without IPv6 (no NDP/MLD).
  for (const char* conf : {"default", "all"}) {
    const std::string p = fmt::format("/proc/sys/net/ipv6/conf/{}/disable_ipv6", conf);
    if (::access(p.c_str(), F_OK) == 0) VMM_TRY(write_text(p, "1"));
  }
  const std::string host = Addressing::ip_text(Addressing::host_ip());
  VMM_TRY_CTX(run_command({"ip", "-batch", "-"}, fmt::format("link set lo up\naddr add {}/32 dev lo\n", host)),
              "configuring lo in the namespace");
  return lab;
}

vmm::Result<void> NetLab::raise_sysctl(const std::string& path, int64_t at_least) {
  auto old = read_int(path);
  if (!old) return vmm::Error(fmt::format("cannot read {}", path));
  if (*old >= at_least) return {};
  VMM_TRY(write_text(path, std::to_string(at_least)));
  saved_.emplace_back(path, std::to_string(*old));
  changes_.push_back(fmt::format("{}: {} -> {} (host-global, restored at exit)", path.substr(10), *old, at_least));
  return {};
}

std::vector<std::string> NetLab::changes() const { return changes_; }

vmm::Result<NetSetupTimes> NetLab::add_taps(uint32_t count, bool permanent_neighbours) {
  NetSetupTimes times;
  times.taps = count;
  const int64_t t0 = now_ns();
  tap_fds_.clear();
  ifindex_.clear();
  for (uint32_t i = 0; i < count; ++i) {
    const std::string tap = Addressing::tap_name(i);
    vmm::UniqueFd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    if (!fd) return vmm::Error::from_errno(fmt::format("creating tap {}: opening /dev/net/tun", tap));
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, tap.c_str(), tap.size());
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (::ioctl(fd.get(), TUNSETIFF, &ifr) != 0) return vmm::Error::from_errno(fmt::format("creating tap {}: TUNSETIFF", tap));
    if (::ioctl(fd.get(), TUNSETPERSIST, 1) != 0) {
      return vmm::Error::from_errno(fmt::format("creating tap {}: TUNSETPERSIST", tap));
    }
    if (::ioctl(fd.get(), TUNGETIFF, &ifr) != 0) return vmm::Error::from_errno(fmt::format("tap {}: TUNGETIFF", tap));
    const int index = static_cast<int>(::if_nametoindex(tap.c_str()));
    if (index == 0) return vmm::Error::from_errno(fmt::format("tap {}: if_nametoindex", tap));
    ifindex_.push_back(index);
    tap_fds_.push_back(std::move(fd));
  }
  const int64_t t1 = now_ns();
  std::string batch;
  batch.reserve(size_t{count} * 128);
  const std::string host = Addressing::ip_text(Addressing::host_ip());
  for (uint32_t i = 0; i < count; ++i) {
    const std::string tap = Addressing::tap_name(i);
    const std::string ip = Addressing::ip_text(Addressing::guest_ip(i));
    batch += fmt::format("link set dev {} up\nroute add {}/32 dev {} src {}\n", tap, ip, tap, host);
    if (permanent_neighbours) {
      batch += fmt::format("neigh add {} lladdr {} dev {} nud permanent\n", ip,
                           Addressing::mac_text(Addressing::guest_mac(i)), tap);
    }
  }
  VMM_TRY_CTX(run_command({"ip", "-batch", "-"}, batch), "configuring the taps (routes, neighbour entries)");
  const int64_t t2 = now_ns();
  times.taps_ms = static_cast<double>(t1 - t0) / 1e6;
  times.batch_ms = static_cast<double>(t2 - t1) / 1e6;
  return times;
}

vmm::UniqueFd NetLab::take_tap_fd(uint32_t index) {
  if (index >= tap_fds_.size()) return {};
  return std::move(tap_fds_[index]);
}

NetLab::~NetLab() {
  tap_fds_.clear();
  if (home_ns_ && ::setns(home_ns_.get(), CLONE_NEWNET) != 0) {
    fmt::print(stderr, "warning: cannot return to the original network namespace: {}\n", std::strerror(errno));
  }
  if (created_) {
    if (auto r = run_command({"ip", "netns", "del", name_}); !r) {
      fmt::print(stderr, "warning: deleting namespace {}: {}\n", name_, r.error().message());
    }
  }
  // Restore in reverse order: thresh1 <= thresh2 <= thresh3 holds at every step.
  for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
    if (auto r = write_text(it->first, it->second); !r) {
      fmt::print(stderr, "warning: restoring {}: {}\n", it->first, r.error().message());
    }
  }
}

}  // namespace coldstart
