// Google Benchmark micro benchmarks of host-side pieces of the boot path.
#include <benchmark/benchmark.h>

#include <vector>

#include "arch/x86_64/page_tables.h"
#include "instance/guest_ram.h"
#include "loader/elf.h"
#include "loader/image_internals.h"
#include "vmm/guest_memory.h"
#include "vmm/image.h"

namespace {

std::vector<std::byte> read_image(const char* name) {
  auto image = vmm::Image::open(std::string(VMM_GUEST_DIR) + "/" + name);
  if (!image) return {};
  return (*image)->internals().bytes;
}

void BM_ParseElf(benchmark::State& state) {
  auto bytes = read_image("hello.elf");
  for (auto _ : state) benchmark::DoNotOptimize(vmm::parse_elf(bytes));
}
BENCHMARK(BM_ParseElf);

void BM_GuestMemoryCheckedRead(benchmark::State& state) {
  std::vector<std::byte> ram(1 << 20);
  vmm::GuestMemory mem(ram.data(), ram.size());
  uint64_t gpa = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(mem.try_read<uint64_t>(gpa));
    gpa = (gpa + 4096) & ((1 << 20) - 1);
  }
}
BENCHMARK(BM_GuestMemoryCheckedRead);

void BM_BuildPageTables(benchmark::State& state) {
  std::vector<std::byte> ram(1 << 20);
  vmm::GuestMemory mem(ram.data(), ram.size());
  vmm::x86::PageMapping maps[] = {{0x100000, 0x6000, {false, true, true, false}},
                                  {0x106000, 0x3fa000, {true, true, false, false}}};
  for (auto _ : state) {
    std::fill(ram.begin() + 0x8000, ram.begin() + 0x10000, std::byte{0});
    benchmark::DoNotOptimize(vmm::x86::build_identity_page_tables(mem, 0x8000, 0x10000, maps));
  }
}
BENCHMARK(BM_BuildPageTables);

// One instance's guest RAM: the anonymous reservation, httpd's boot template mapped
// copy-on-write over its start, MADV_DONTFORK and MADV_NOHUGEPAGE, and the unmap at the end. What an arena of
// pre-made guest memory could save per instance (docs/coldstart.md, "Other choices").
void BM_GuestRamMapUnmap(benchmark::State& state) {
  auto image = vmm::Image::open(std::string(VMM_GUEST_DIR) + "/httpd.elf");
  if (!image) return state.SkipWithError(image.error().message().c_str());
  auto tmpl = (*image)->internals().template_for({4 << 20, 1});
  if (!tmpl) return state.SkipWithError(tmpl.error().message().c_str());
  for (auto _ : state) {
    auto ram = vmm::GuestRam::create(4 << 20, **tmpl, false);
    if (!ram) return state.SkipWithError(ram.error().message().c_str());
    benchmark::DoNotOptimize(ram->host());
  }
}
BENCHMARK(BM_GuestRamMapUnmap);

}  // namespace

BENCHMARK_MAIN();
