// The modes' complete runs. libvmm in-process: workers hosting instances, every instance
// kept running, then the checks that need them all alive (idle exits, memory, a probe of
// every one). vmm-run and QEMU: a process per instance, each stopped after its 200.
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "cgroup.h"
#include "driver.h"
#include "inproc.h"
#include "modes.h"
#include "netlab.h"
#include "process_launcher.h"

namespace coldstart {
namespace {

constexpr double kKiB = 1024.0;

struct Cgroups {
  std::unique_ptr<MemoryCgroup> harness;  // this process: taps, client sockets
  std::unique_ptr<MemoryCgroup> vmm;      // the workers: VMM, guest RAM, KVM kernel memory
  std::string unavailable;
};

Cgroups make_cgroups(const std::string& name) {
  Cgroups cg;
  auto harness = MemoryCgroup::create(name + "-harness");
  auto vmm = harness ? MemoryCgroup::create(name + "-vmm") : vmm::Result<std::unique_ptr<MemoryCgroup>>(harness.error());
  if (!harness || !vmm) {
    cg.unavailable = (harness ? vmm : harness).error().message();
    return cg;
  }
  if (auto moved = (*harness)->add(0); !moved) {
    cg.unavailable = moved.error().message();
    return cg;
  }
  cg.harness = std::move(*harness);
  cg.vmm = std::move(*vmm);
  return cg;
}

double usage_delta(const MemoryUsage& a, const MemoryUsage& b, bool kernel) {
  const int64_t x = kernel ? a.kernel_bytes : a.total_bytes, y = kernel ? b.kernel_bytes : b.total_bytes;
  return x >= 0 && y >= 0 ? static_cast<double>(y - x) : std::nan("");
}

struct Totals {
  std::vector<uint64_t> exits;  // by instance index
  uint64_t guest_pages = 0;
  uint32_t running = 0;
  ProcCounters sum;     // workers' counters summed (vmas: the largest worker)
};

// Every worker's instances; fills the samples' boot times, pages and exit counts.
vmm::Result<Totals> query_all(WorkerPool& pool, std::vector<Sample>& samples) {
  Totals t;
  t.exits.assign(samples.size(), 0);
  t.sum = ProcCounters{0, 0, 0, 0, 0, 0};
  for (size_t w = 0; w < pool.size(); ++w) {
    const WorkerReport report = VMM_TRY(pool.query(w));
    for (const InfoMsg& info : report.instances) {
      if (info.index >= samples.size()) continue;
      Sample& s = samples[info.index];
      s.first_entry_ns = info.times.first_entry;
      s.boot_ready_ns = info.times.boot_ready;
      s.guest_pages = info.guest_pages;
      s.exits = info.exits;
      s.exits_at_ready = info.exits_at_ready;
      s.pages_at_ready = info.pages_at_ready;
      s.syscalls_in_start = info.syscalls_in_start;
      s.syscalls_to_ready = info.syscalls_to_ready;
      t.exits[info.index] = info.exits;
      t.guest_pages += info.guest_pages;
      t.running += info.running;
    }
    t.sum.rss_kib += report.process.rss_kib;
    t.sum.rss_anon_kib += report.process.rss_anon_kib;
    t.sum.threads += report.process.threads;
    t.sum.fds += report.process.fds;
    t.sum.vmas = std::max(t.sum.vmas, report.process.vmas);
  }
  return t;
}

void report_memory(Report& r, uint32_t n, const Cgroups& cg, const MemoryUsage& at_ready, const MemoryUsage& at_end,
                   double network_bytes, const Totals& end, int64_t rss_ready_kib) {
  const double guest = static_cast<double>(end.guest_pages) * 4096.0;
  r.section("memory per instance (all instances idle)");
  if (!cg.vmm) r.note("no memory cgroup: " + cg.unavailable);
  const double total = cg.vmm ? usage_delta({0, 0}, at_end, false) : std::nan("");
  r.add("host_kib", total / n / kKiB, "KiB", "host memory: VMM cgroup / N (workers included)", 1);
  r.add("host_marginal_kib", usage_delta(at_ready, at_end, false) / n / kKiB, "KiB",
        "  marginal: (end - workers ready) / N", 1);
  r.add("kernel_kib", usage_delta({0, 0}, at_end, true) / n / kKiB, "KiB", "  of which kernel (KVM, page tables...)", 1);
  r.add("guest_pages_kib", guest / n / kKiB, "KiB", "guest pages touched (resident_guest_pages)", 1);
  r.add("vmm_user_kib", (static_cast<double>(end.sum.rss_kib) * kKiB - guest) / n / kKiB, "KiB",
        "VMM's own share: (workers' RSS - guest pages) / N", 1);
  r.add("vmm_user_marginal_kib", (static_cast<double>(end.sum.rss_kib - rss_ready_kib) * kKiB - guest) / n / kKiB,
        "KiB", "  marginal: (RSS growth - guest pages) / N", 1);
  r.add("network_kib", network_bytes / n / kKiB, "KiB", "network: tap + route + neighbour (harness cgroup) / N", 1);
  r.note(fmt::format("cgroup v{} at {}", cg.vmm ? cg.vmm->version() : 0, cg.vmm ? cg.vmm->path() : "-"));
}

}  // namespace

vmm::Result<ModeRun> run_libvmm(uint32_t count, const Options& o, StopSignals& signals, const std::string& name) {
  ModeRun run;
  Cgroups cg = make_cgroups(name);
  const MemoryUsage h0 = cg.harness ? cg.harness->usage() : MemoryUsage{};
  auto lab = VMM_TRY(NetLab::create(name, count));
  const NetSetupTimes net = VMM_TRY(lab->add_taps(count, true));
  const MemoryUsage h1 = cg.harness ? cg.harness->usage() : MemoryUsage{};

  const uint32_t workers = o.workers ? o.workers : (count + o.per_worker - 1) / o.per_worker;
  const int64_t spawn_start = now_ns();
  const ConfigMsg config{o.image, o.memory_bytes, o.irqchip, o.pages_at_ready ? 1u : 0u, o.syscalls ? 1u : 0u};
  auto pool = VMM_TRY(WorkerPool::spawn(workers, config, cg.vmm.get()));
  const double spawn_ms = static_cast<double>(now_ns() - spawn_start) / 1e6;
  const MemoryUsage at_ready = cg.vmm ? cg.vmm->usage() : MemoryUsage{};
  int64_t rss_ready_kib = 0, vmas_ready = 0;
  for (size_t w = 0; w < pool->size(); ++w) {
    rss_ready_kib += pool->ready_counters(w).rss_kib;
    vmas_ready = std::max(vmas_ready, pool->ready_counters(w).vmas);
  }
  const uint32_t per_worker = (count + workers - 1) / workers;
  InprocLauncher launcher(std::move(pool), o.spread ? Placement::Spread : Placement::Fill, per_worker);
  fmt::print("libvmm: {} taps ready in {:.0f} ms, {} workers in {:.0f} ms (not timed); starting {} instances one "
             "after another, keeping each running\n",
             count, net.taps_ms + net.batch_ms, workers, spawn_ms, count);
  std::fflush(stdout);
  run.samples = VMM_TRY(run_sequential(launcher, *lab, o, count, signals, &run.interrupted));

  Report& r = run.report;
  r.section("run");
  r.add_text("mode", "libvmm", "mode");
  r.add_text("vmm", launcher.describe(), "how");
  report_network(r, net, lab->changes(), true);
  r.section("sharding");
  r.add("workers", workers, "", "worker processes", 0);
  r.add("per_worker", per_worker, "", "instances per worker (at most)", 0);
  r.add("worker_spawn_ms", spawn_ms, "ms", "spawn + configure all workers (not timed)", 1);

  if (!run.interrupted && sleep_unless_stopped(signals, 1.0)) {
    const Totals before = VMM_TRY(query_all(launcher.pool(), run.samples));
    if (!sleep_unless_stopped(signals, o.idle_s)) run.interrupted = true;
    const Totals end = VMM_TRY(query_all(launcher.pool(), run.samples));
    const MemoryUsage at_end = cg.vmm ? cg.vmm->usage() : MemoryUsage{};
    r.add("vmas_per_worker", static_cast<double>(end.sum.vmas), "", "VMAs in the largest worker at the end", 0);
    r.add("vmas_per_instance", static_cast<double>(end.sum.vmas - vmas_ready) / per_worker, "",
          "VMAs per instance", 1);
    r.add("threads_per_instance", static_cast<double>(end.sum.threads - static_cast<int64_t>(workers)) / count, "",
          "threads per instance (vCPU + KVM's per-VM thread)", 2);
    r.add("fds_per_instance", static_cast<double>(end.sum.fds) / count, "", "fds per instance (workers' fds / N)", 2);
    const std::string& why = launcher.pool().syscalls_unavailable();
    summarize_samples(run.samples, r,
                      !o.syscalls     ? "not counted (pass --syscalls)"
                      : why.empty()   ? "no instance was counted to boot-ready"
                                      : "unavailable: " + why);

    uint32_t woke = 0;
    uint64_t idle_exits = 0;
    for (size_t i = 0; i < end.exits.size(); ++i) {
      const uint64_t d = end.exits[i] - std::min(end.exits[i], before.exits[i]);
      woke += d > 0;
      idle_exits += d;
    }
    r.section("idle");
    r.add("running", end.running, "", "instances still running", 0);
    r.add("window_s", o.idle_s, "s", "idle window", 1);
    r.add("instances_with_exits", woke, "", "instances that made an exit in the window", 0);
    r.add("exits", static_cast<double>(idle_exits), "", "exits in the window, all instances", 0);
    report_memory(r, count, cg, at_ready, at_end, usage_delta(h0, h1, false), end, rss_ready_kib);

    if (!run.interrupted) {
      fmt::print("probing all {} instances again...\n", count);
      std::fflush(stdout);
      const ProbeAllResult probe = probe_all(o, count, signals);
      r.section("final probe of every instance");
      r.add("probed", probe.probed, "", "instances probed", 0);
      r.add("answered", probe.answered, "", "answered HTTP 200", 0);
      r.add("seconds", probe.seconds, "s", fmt::format("time ({} in flight)", o.probe_parallel), 2);
      r.add("retransmits", probe.retransmits, "", "TCP retransmissions seen", 0);
      for (size_t i = 0; i < std::min<size_t>(probe.failures.size(), 20); ++i) r.note(probe.failures[i]);
    }
  } else {
    summarize_samples(run.samples, r);
  }

  if (o.keep && !run.interrupted) {
    fmt::print("\n--keep: {} instances running in network namespace {}. Try:\n  ip netns exec {} curl -s http://{}/\n"
               "Press Ctrl-C to tear everything down.\n",
               count, lab->name(), lab->name(), Addressing::ip_text(Addressing::guest_ip(0)));
    std::fflush(stdout);
    while (sleep_unless_stopped(signals, 3600)) {
    }
  }
  const int64_t t0 = now_ns();
  launcher.pool().shutdown(30'000);
  const int64_t t1 = now_ns();
  lab.reset();
  const int64_t t2 = now_ns();
  r.section("teardown");
  r.add("workers_ms", static_cast<double>(t1 - t0) / 1e6, "ms", "stop all instances and workers", 1);
  r.add("network_ms", static_cast<double>(t2 - t1) / 1e6, "ms", "delete the namespace (taps, routes)", 1);
  return run;
}

void report_network(Report& r, const NetSetupTimes& t, const std::vector<std::string>& sysctls,
                    bool permanent_neighbours) {
  r.section("network setup (before the timed part)");
  r.add("taps", t.taps, "", "taps created before the timed part", 0);
  r.add("tap_create_ms", t.taps_ms, "ms", "create taps (open /dev/net/tun + TUNSETIFF)", 1);
  r.add("ip_batch_ms", t.batch_ms, "ms", "one ip -batch: link up, /32 route, neighbour", 1);
  r.add("per_tap_us", (t.taps_ms + t.batch_ms) * 1000.0 / std::max<uint32_t>(1, t.taps), "us", "per tap", 1);
  r.note("taps are held open by the harness and handed to each instance (worker: SCM_RIGHTS; process: its "
         "fd 3): a platform creates them ahead; the SYN issued at the start call waits in the tap");
  r.note(permanent_neighbours ? "permanent neighbour entry per instance (no ARP)"
                              : "no permanent neighbour entry: this VMM picks a random MAC (no --mac), so the "
                                "host ARPs and the guest answers when it reads its tap");
  r.note("routed taps (no bridge): host 198.18.0.1/32 on lo, a /32 route per tap; IPv6 off on every tap");
  for (const auto& s : sysctls) r.note(s);
}

vmm::Result<ModeRun> run_process_mode(VmmMode mode, uint32_t count, const Options& o, StopSignals& signals,
                                      const std::string& name) {
  ModeRun run;
  run.mode = mode;
  auto lab = VMM_TRY(NetLab::create(name, count));
  auto launcher = VMM_TRY(ProcessLauncher::create(o, mode));
  const bool permanent = launcher->accepts_mac();
  const NetSetupTimes net = VMM_TRY(lab->add_taps(count, permanent));
  fmt::print("{}: {} taps ready in {:.0f} ms; starting {} instances one after another (each stopped after its "
             "first 200)\n",
             to_string(mode), count, net.taps_ms + net.batch_ms, count);
  std::fflush(stdout);
  run.samples = VMM_TRY(run_sequential(*launcher, *lab, o, count, signals, &run.interrupted));

  run.report.section("run");
  run.report.add_text("mode", to_string(mode), "mode");
  run.report.add_text("vmm", launcher->describe(), "how");
  run.report.note("boot-ready = the guest's console line containing \"" + o.ready_pattern +
                  "\", read from the process's pipe (includes the pipe wake-up)");
  if (mode == VmmMode::VmmRun) {
    run.report.note("vmm-run's phases come from its --json BootTimes (relative to its start call), anchored on the "
                    "observed console line");
  }
  report_network(run.report, net, lab->changes(), permanent);
  summarize_samples(run.samples, run.report);
  return run;
}

}  // namespace coldstart
