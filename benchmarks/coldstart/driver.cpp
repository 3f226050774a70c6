#include "driver.h"

#include <sys/epoll.h>

#include <algorithm>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "../support/stats.h"
#include "http_probe.h"

namespace coldstart {
namespace {

constexpr uint64_t kSignalTag = 0;
constexpr uint64_t kProbeTag = 1;
constexpr uint64_t kLauncherTag = 16;  // + position in watch_fds()

// Applies a probe's event change to the poller.
void track(Poller& poller, HttpProbe& probe, HttpProbe::Change change, uint64_t tag) {
  if (probe.done()) return;  // its socket is closed, and with it the registration
  if (change == HttpProbe::Change::Socket) (void)poller.add(probe.fd(), probe.events(), tag);
  else if (change == HttpProbe::Change::Events) (void)poller.modify(probe.fd(), probe.events(), tag);
}

void print_progress(const std::vector<Sample>& samples, uint32_t count, uint32_t window, int64_t run_start) {
  std::vector<double> all, recent;
  size_t failed = 0, flagged = 0;
  for (size_t i = 0; i < samples.size(); ++i) {
    const Sample& s = samples[i];
    failed += !s.ok;
    flagged += s.ok && s.flagged();
    if (!s.counted()) continue;
    all.push_back(s.cold_start_ms());
    if (i + window >= samples.size()) recent.push_back(s.cold_start_ms());
  }
  const double elapsed = static_cast<double>(now_ns() - run_start) / 1e9;
  fmt::print("[{:>6}/{}] {:7.1f} inst/s  cold start p50 {:.3f} ms (last {}: {:.3f} ms)  failed {}  flagged {}\n",
             samples.size(), count, static_cast<double>(samples.size()) / elapsed,
             all.empty() ? 0.0 : vmm::bench::median(all), window, recent.empty() ? 0.0 : vmm::bench::median(recent),
             failed, flagged);
  std::fflush(stdout);
}

// Measures one instance: start call, begin(), connect when the tap can take the SYN, first 200.
Sample measure_one(uint32_t i, Launcher& launcher, NetLab& lab, const Options& o, Poller& poller,
                   StopSignals& signals, bool* interrupted) {
  Sample s;
  s.index = i;
  InstanceSpec spec;
  spec.index = i;
  auto cmdline = expand_template(o.cmdline_template, Addressing::template_vars(i));
  spec.cmdline = cmdline ? *cmdline : std::string();
  spec.mac = Addressing::guest_mac(i);
  spec.tap = Addressing::tap_name(i);
  spec.ifindex = lab.ifindex(i);
  spec.tap_fd = lab.take_tap_fd(i);
  HttpProbe probe(Addressing::host_ip(), Addressing::guest_ip(i), o.port, o.http_path);

  s.start_ns = now_ns();
  if (auto began = launcher.begin(std::move(spec)); !began) {
    s.error = began.error().message();
    return s;
  }
  auto start_probe = [&]() {
    if (auto r = probe.start(); !r) probe.fail(r.error().message());
    else (void)poller.add(probe.fd(), probe.events(), kProbeTag);
  };
  bool probing = false;
  bool redialed = false;
  if (launcher.tap_ready()) start_probe(), probing = true;  // the SYN waits in the tap
  const std::vector<int> fds = launcher.watch_fds();
  for (size_t k = 0; k < fds.size(); ++k) (void)poller.add(fds[k], EPOLLIN, kLauncherTag + k);

  const int64_t deadline = s.start_ns + static_cast<int64_t>(o.timeout_s * 1e9);
  while (!(probe.done() && launcher.settled())) {
    if (auto why = launcher.failure()) {
      probe.fail(*why);
      break;
    }
    const int64_t left = deadline - now_ns();
    if (left <= 0) {
      probe.fail(probing ? fmt::format("no HTTP 200 within {} s", o.timeout_s)
                         : fmt::format("tap {} never got a reader within {} s", Addressing::tap_name(i), o.timeout_s));
      break;
    }
    const auto events = poller.wait(left);
    const int64_t now = now_ns();
    for (const auto& ev : events) {
      if (ev.tag == kSignalTag) {
        if (signals.check()) *interrupted = true;
      } else if (ev.tag == kProbeTag) {
        track(poller, probe, probe.on_ready(ev.events, now), kProbeTag);
      } else if (ev.tag - kLauncherTag < fds.size()) {
        launcher.on_ready(fds[ev.tag - kLauncherTag], now);
      }
    }
    if (*interrupted) {
      probe.fail("interrupted");
      break;
    }
    if (!probing && launcher.tap_ready()) start_probe(), probing = true;
    if (probing && !redialed && launcher.redial_when_ready() && launcher.settled()) {
      redialed = true;
      track(poller, probe, probe.redial(), kProbeTag);
    }
  }
  for (int fd : fds) poller.remove(fd);  // fds the launcher closed are gone already

  const VmmTimes t = launcher.finish();
  s.worker = t.worker, s.slot = t.slot;
  s.vmm_start_ns = t.vmm_start_ns, s.vm_created_ns = t.vm_created_ns, s.vm_ready_ns = t.vm_ready_ns;
  s.first_entry_ns = t.first_entry_ns, s.boot_ready_ns = t.boot_ready_ns;
  s.vmm_times_estimated = t.estimated;
  const ProbeResult& r = probe.result();
  s.connected_ns = r.connected_ns;
  s.first_200_ns = r.first_byte_ns;
  s.rst_retries = r.rst_retries;
  s.redials = r.redials;
  s.retransmits = r.retransmits;
  s.ok = probe.ok();
  if (!s.ok) s.error = launcher.failure().value_or(r.error);
  return s;
}

}  // namespace

vmm::Result<std::vector<Sample>> run_sequential(Launcher& launcher, NetLab& lab, const Options& o, uint32_t count,
                                                StopSignals& signals, bool* interrupted) {
  Poller poller = VMM_TRY(Poller::create());
  VMM_TRY(poller.add(signals.fd(), EPOLLIN, kSignalTag));
  std::vector<Sample> samples;
  samples.reserve(count);
  const int64_t run_start = now_ns();
  for (uint32_t i = 0; i < count && !*interrupted; ++i) {
    Sample s = measure_one(i, launcher, lab, o, poller, signals, interrupted);
    if (*interrupted && !s.ok) break;  // cut short by Ctrl-C: not a failure of the instance
    samples.push_back(std::move(s));
    if (o.progress_every > 0 && (samples.size() % o.progress_every == 0 || samples.size() == count)) {
      print_progress(samples, count, o.progress_every, run_start);
    }
  }
  return samples;
}

ProbeAllResult probe_all(const Options& o, uint32_t count, StopSignals& signals) {
  ProbeAllResult result;
  auto poller = Poller::create();
  if (!poller) return result;
  (void)poller->add(signals.fd(), EPOLLIN, kSignalTag);
  const int64_t t0 = now_ns();
  const int64_t timeout = static_cast<int64_t>(o.timeout_s * 1e9);
  struct InFlight {
    uint32_t index;
    int64_t deadline;
    std::unique_ptr<HttpProbe> probe;
  };
  std::map<uint64_t, InFlight> flight;  // tag -> probe
  uint32_t next = 0;
  auto settle = [&](uint64_t tag) {
    InFlight& f = flight.at(tag);
    result.answered += f.probe->ok();
    result.retransmits += f.probe->result().retransmits;
    if (!f.probe->ok()) result.failures.push_back(fmt::format("instance {}: {}", f.index, f.probe->result().error));
    flight.erase(tag);
  };
  while ((next < count || !flight.empty()) && !signals.received()) {
    while (next < count && flight.size() < std::max<uint32_t>(1, o.probe_parallel)) {
      const uint64_t tag = kLauncherTag + next;
      auto probe = std::make_unique<HttpProbe>(Addressing::host_ip(), Addressing::guest_ip(next), o.port, o.http_path);
      if (auto r = probe->start(); !r) probe->fail(r.error().message());
      else (void)poller->add(probe->fd(), probe->events(), tag);
      flight[tag] = {next++, now_ns() + timeout, std::move(probe)};
      ++result.probed;
      if (flight[tag].probe->done()) settle(tag);
    }
    int64_t earliest = INT64_MAX;
    for (const auto& [tag, f] : flight) earliest = std::min(earliest, f.deadline);
    const auto events = poller->wait(flight.empty() ? 0 : std::max<int64_t>(0, earliest - now_ns()));
    const int64_t now = now_ns();
    for (const auto& ev : events) {
      if (ev.tag == kSignalTag) {
        signals.check();
        continue;
      }
      auto it = flight.find(ev.tag);
      if (it == flight.end()) continue;
      track(*poller, *it->second.probe, it->second.probe->on_ready(ev.events, now), ev.tag);
      if (it->second.probe->done()) settle(ev.tag);
    }
    for (auto it = flight.begin(); it != flight.end();) {
      auto current = it++;
      if (now >= current->second.deadline) {
        current->second.probe->fail("no HTTP 200 within the timeout");
        settle(current->first);
      }
    }
  }
  result.seconds = static_cast<double>(now_ns() - t0) / 1e9;
  return result;
}

bool sleep_unless_stopped(StopSignals& signals, double seconds) {
  auto poller = Poller::create();
  if (!poller) return !signals.received();
  (void)poller->add(signals.fd(), EPOLLIN, kSignalTag);
  const int64_t deadline = now_ns() + static_cast<int64_t>(seconds * 1e9);
  while (!signals.check()) {
    const int64_t left = deadline - now_ns();
    if (left <= 0) return true;
    poller->wait(left);
  }
  return false;
}

}  // namespace coldstart
