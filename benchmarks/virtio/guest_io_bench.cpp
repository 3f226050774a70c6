// I/O as a lean guest sees it: 4 KiB virtio-blk IOPS (queue depth 1 and 32: one
// notification per request, or per 32) and virtio-net frames per second guest-to-tap.
// Each repetition boots a guest that times its own loop with the guest clock (no exits);
// the reported time is the guest's. Needs /dev/kvm; the net case also root (a tap in a
// network namespace the benchmark creates and deletes, 198.18.0.0/15 only).
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <regex>
#include <string>

#include "device_fixture.h"
#include "netns.h"
#include "virtio_guest.h"

using namespace vmm;
using namespace vmm::virtio::test;

namespace {

// Runs guests/<image> with the devices and returns the guest-measured ns (from "ns=").
double run_guest(const std::string& image, const std::string& args, std::vector<NetConfig> nets,
                 std::vector<DiskConfig> disks, benchmark::State& state) {
  auto created = create_device_guest(image, "-- " + args, std::move(nets), std::move(disks), 32ull << 20);
  if (!created) {
    state.SkipWithError(created.error().message().c_str());
    return 1;
  }
  DeviceGuest& g = *created;
  auto exit = g.instance->run();
  std::smatch m;
  const std::string text = g.console->text();
  if (!exit || exit->status != 0 || !std::regex_search(text, m, std::regex("ns=([0-9]+)"))) {
    state.SkipWithError(("guest failed: " + text).c_str());
    return 1;
  }
  state.counters["exits"] = static_cast<double>(g.instance->stats().exits);
  return std::stod(m[1]);
}

void BM_BlkIops(benchmark::State& state) {
  const bool write = state.range(0) != 0;
  const int64_t depth = state.range(1);
  const int64_t ops = 4096;
  TempFile disk(patterned_disk(64 * 1024));  // 32 MiB
  for (auto _ : state) {
    const double ns = run_guest("blk_bench", std::string("op=") + (write ? "write" : "read") + " ops=" +
                                                 std::to_string(ops) + " depth=" + std::to_string(depth),
                                {}, {{disk.path(), false}}, state);
    state.SetIterationTime(ns / 1e9);
    state.counters["IOPS"] = benchmark::Counter(static_cast<double>(ops) / (ns / 1e9));
  }
}
BENCHMARK(BM_BlkIops)
    ->ArgsProduct({{0, 1}, {1, 32}})
    ->ArgNames({"write", "depth"})
    ->UseManualTime()
    ->Iterations(1)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

void BM_NetTxFramesPerSecond(benchmark::State& state) {
  if (::geteuid() != 0 || ::access("/dev/net/tun", R_OK | W_OK) != 0) {
    state.SkipWithError("needs root and /dev/net/tun");
    return;
  }
  auto ns = NetNamespace::create();
  if (!ns) {
    state.SkipWithError("cannot create a network namespace");
    return;
  }
  UniqueFd tap = ns->open_tap("vb0");
  ns->ip("link set vb0 up");
  const int64_t frames = 200000;
  for (auto _ : state) {
    const double ns_taken = run_guest("net_bench", "frames=" + std::to_string(frames) + " size=64 batch=" +
                                                       std::to_string(state.range(0)),
                                      {{"", tap.get(), std::nullopt}}, {}, state);
    state.SetIterationTime(ns_taken / 1e9);
    state.counters["pps"] = benchmark::Counter(static_cast<double>(frames) / (ns_taken / 1e9));
  }
}
BENCHMARK(BM_NetTxFramesPerSecond)
    ->Arg(1)
    ->Arg(32)
    ->Arg(128)
    ->ArgName("batch")
    ->UseManualTime()
    ->Iterations(1)
    ->Repetitions(7)
    ->ReportAggregatesOnly(true)
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
