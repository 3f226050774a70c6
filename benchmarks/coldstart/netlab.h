// The benchmark's network: a network namespace the harness creates and enters, with one
// routed tap per instance. Addresses come from 198.18.0.0/15 only and no traffic leaves
// the namespace.
//
// Layout (routed taps, no bridges): the host address 198.18.0.1/32 sits on `lo`; tap i
// (`cs<i>`) has no address of its own, a /32 route to guest i (198.18.0.16 + i) and a
// permanent neighbour entry with guest i's MAC, so the host never ARPs and a guest never
// sees another guest's broadcasts (a bridge would flood every ARP to up to 1,024 guests and
// wake them). IPv6 is off for every interface (its neighbour discovery would wake idle
// guests). The guest learns the host's MAC from the first frame it receives.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "options.h"
#include "vmm/result.h"
#include "vmm/unique_fd.h"

namespace coldstart {

// Names and addresses of instance i.
struct Addressing {
  static constexpr int kPrefix = 15;
  static uint32_t host_ip();                // 198.18.0.1
  static uint32_t guest_ip(uint32_t index);  // 198.18.0.16 + index
  static uint32_t max_instances();          // what fits in 198.18.0.0/15
  static std::string tap_name(uint32_t index);               // "cs<index>"
  static std::array<uint8_t, 6> guest_mac(uint32_t index);   // 02:00 + the guest's IPv4 address
  static std::string ip_text(uint32_t ip);
  static std::string mac_text(const std::array<uint8_t, 6>& mac);
  static TemplateVars template_vars(uint32_t index);  // for the cmdline template
};

// Taps are always persistent (TUNSETPERSIST): closing the last fd of a non-persistent tap
// unregisters it, which costs ~20 ms of RCU waits per tap here, paid one by one at each
// instance's teardown; the namespace's deletion removes persistent taps in one batch.
// The harness holds every tap's fd from its creation and hands it to the VMM (worker:
// SCM_RIGHTS; process: inherited fd), so a SYN sent at the start call always has a reader.

struct NetSetupTimes {
  uint32_t taps = 0;
  double taps_ms = 0;   // open /dev/net/tun + TUNSETIFF for every tap
  double batch_ms = 0;  // one `ip -batch`: link up, /32 route, permanent neighbour per tap
};

class NetLab {
 public:
  // Creates namespace `name` (`ip netns add`, so `ip netns exec` works for inspection),
  // moves the calling thread into it (children inherit it), puts 198.18.0.1/32 on lo,
  // turns IPv6 off for new interfaces, and raises the neighbour table's gc_thresh1/2/3
  // above `max_instances` (these are host-global: restored by the destructor). Deletes
  // namespaces left behind by a harness that died (vmmcs-<pid>-* with that pid gone).
  static vmm::Result<std::unique_ptr<NetLab>> create(const std::string& name, uint32_t max_instances);
  // Returns this thread to its original namespace, deletes the lab's namespace (and so
  // every tap in it) and restores the sysctls it changed.
  ~NetLab();
  NetLab(const NetLab&) = delete;
  NetLab& operator=(const NetLab&) = delete;

  // Creates the taps of instances [0, count), each with its /32 route and, with
  // `permanent_neighbours`, a permanent neighbour entry for the guest's MAC (else the host
  // ARPs). Errors name the tap that failed.
  vmm::Result<NetSetupTimes> add_taps(uint32_t count, bool permanent_neighbours);
  // Tap i's fd (HeldByHarness), moved out: after this the harness no longer holds it.
  vmm::UniqueFd take_tap_fd(uint32_t index);
  int ifindex(uint32_t index) const { return ifindex_.at(index); }
  const std::string& name() const { return name_; }
  // Sysctls changed, as "key: old -> new" lines for the report.
  std::vector<std::string> changes() const;

 private:
  NetLab(std::string name, vmm::UniqueFd home) : name_(std::move(name)), home_ns_(std::move(home)) {}
  vmm::Result<void> raise_sysctl(const std::string& path, int64_t at_least);

  std::string name_;
  vmm::UniqueFd home_ns_;
  bool created_ = false;
  std::vector<vmm::UniqueFd> tap_fds_;
  std::vector<int> ifindex_;
  std::vector<std::pair<std::string, std::string>> saved_;  // sysctl path, original value
  std::vector<std::string> changes_;
};

}  // namespace coldstart
