#include "arch/x86_64/memory_map.h"

#include <fmt/format.h>

#include "arch/x86_64/layout.h"

namespace vmm::x86 {

using namespace standard;

Result<void> check_standard_ram(uint64_t ram_size, const char* protocol) {
  constexpr uint64_t kMinRam = 2ull << 20;
  if (ram_size % kPageSize != 0 || ram_size < kMinRam) {
    return Error(fmt::format("{}: guest RAM must be a multiple of 4 KiB and at least 2 MiB, not {} bytes", protocol,
                             ram_size));
  }
  if (ram_size > kRamMax) {
    return Error(fmt::format("{}: {} MiB of guest RAM do not fit below the MMIO gap at {:#x} ({} MiB); RAM above "
                             "the gap is not supported yet",
                             protocol, ram_size >> 20, kMmioGap, kRamMax >> 20));
  }
  return {};
}

uint64_t low_ram_end(uint64_t ram_size) { return ram_size < kRamMax ? ram_size : kRamMax; }

std::vector<MemoryRange> standard_memory_map(uint64_t ram_size) {
  return {
      {0, kSystemMem, MemoryType::Ram},
      {kSystemMem, kHighMemory - kSystemMem, MemoryType::Reserved},
      {kHighMemory, low_ram_end(ram_size) - kHighMemory, MemoryType::Ram},
      {kMmioGap, kMmioGapEnd - kMmioGap, MemoryType::Reserved},
  };
}

}  // namespace vmm::x86
