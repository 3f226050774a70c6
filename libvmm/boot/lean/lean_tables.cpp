#include "boot/lean/lean_tables.h"

#include <array>
#include <cstring>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "arch/x86_64/descriptors.h"
#include "arch/x86_64/layout.h"
#include "core/checked_math.h"
#include "vmm/guest_abi.h"

namespace vmm::lean {
namespace {

using namespace vmm::x86;
using namespace vmm::x86::lean;

constexpr uint32_t kIdtVectors = 32;
constexpr uint32_t kStubSize = 16;
// The bitmap covers ports [0, kBitmapPorts); higher ports lie beyond the TSS limit and
// are denied by the CPU (SDM vol. 1 section 19.5.2).
constexpr uint32_t kBitmapPorts = 0x520;
constexpr uint32_t kBitmapBytes = kBitmapPorts / 8;

// Vectors for which the CPU pushes an error code (SDM vol. 3A table 6-1).
constexpr bool has_error_code(uint32_t v) {
  return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

// Stub per vector: [push $0 if no error code]; push $vector; jmp common. The common tail
// hands the frame's address to the VMM through the exception port and halts:
//   mov %rsp,%rax ; mov $port,%dx ; out %eax,(%dx) ; 1: hlt ; jmp 1b
std::array<uint8_t, kIdtVectors * kStubSize + 16> exception_stub_code() {
  std::array<uint8_t, kIdtVectors * kStubSize + 16> code;
  code.fill(0xf4);  // hlt as padding
  const uint32_t common = kIdtVectors * kStubSize;
  for (uint32_t v = 0; v < kIdtVectors; ++v) {
    uint8_t* p = code.data() + v * kStubSize;
    size_t n = 0;
    if (!has_error_code(v)) p[n++] = 0x6a, p[n++] = 0x00;
    p[n++] = 0x6a, p[n++] = static_cast<uint8_t>(v);
    p[n++] = 0xe9;
    int32_t rel = static_cast<int32_t>(common) - static_cast<int32_t>(v * kStubSize + n + 4);
    std::memcpy(p + n, &rel, 4);
  }
  const uint16_t port = VMM_HC_PORT_BASE + VMM_HC_EXCEPTION;
  const uint8_t tail[] = {0x48, 0x89, 0xe0,                                     // mov %rsp,%rax
                          0x66, 0xba, static_cast<uint8_t>(port), static_cast<uint8_t>(port >> 8),
                          0xef,                                                 // out %eax,(%dx)
                          0xf4, 0xeb, 0xfd};                                    // hlt; jmp hlt
  std::memcpy(code.data() + common, tail, sizeof tail);
  return code;
}

}  // namespace

uint32_t tss_limit() { return kTssSize + kBitmapBytes; }  // last byte: the 0xff terminator

Result<void> write_cpu_tables(const GuestMemory& mem, uint32_t vcpu_count) {
  if (vcpu_count == 0 || vcpu_count > kMaxVcpus) {
    return Error(fmt::format("lean ABI supports 1 to {} vCPUs, not {}", kMaxVcpus, vcpu_count));
  }
  // GDT: null, kernel code/data, (unused), user data, user code, then TSS descriptors.
  std::array<uint64_t, kGdtEntries> gdt{};
  gdt[kKernelCs / 8] = flat_segment_descriptor(SegmentKind::Code64, 0);
  gdt[kKernelDs / 8] = flat_segment_descriptor(SegmentKind::Data, 0);
  gdt[kUserDs / 8] = flat_segment_descriptor(SegmentKind::Data, 3);
  gdt[kUserCs / 8] = flat_segment_descriptor(SegmentKind::Code64, 3);
  for (uint32_t cpu = 0; cpu < vcpu_count; ++cpu) {
    const uint64_t tss = kTss + cpu * kTssStride;
    SystemDescriptor d = tss_descriptor(tss, tss_limit());
    gdt[kFirstTss / 8 + 2 * cpu] = d.low;
    gdt[kFirstTss / 8 + 2 * cpu + 1] = d.high;

    // TSS: RSP0 = top of this vCPU's CPL0 stack; I/O bitmap right after the TSS with
    // only the guest hypercall ports open, then the 0xff terminator.
    std::array<uint8_t, kTssSize + kBitmapBytes + 1> t{};
    const uint64_t rsp0 = kCpl0Stacks + (cpu + 1) * kCpl0StackSize;
    std::memcpy(t.data() + kTssRsp0Offset, &rsp0, 8);
    const uint16_t iomap = kTssSize;
    std::memcpy(t.data() + kTssIoMapBaseOffset, &iomap, 2);
    std::memset(t.data() + kTssSize, 0xff, kBitmapBytes + 1);
    for (uint32_t port = kFirstGuestPort; port <= kLastGuestPort; ++port) {
      t[kTssSize + port / 8] &= static_cast<uint8_t>(~(1u << (port % 8)));
    }
    VMM_TRY(mem.write_bytes(tss, std::as_bytes(std::span(t))));
  }
  VMM_TRY(mem.write_bytes(kGdt, std::as_bytes(std::span(gdt))));

  // IDT: interrupt gates to the stubs; #BP and #OF reachable from CPL3 (int3/into) so
  // they are reported as themselves rather than as #GP.
  std::array<SystemDescriptor, kIdtVectors> idt{};
  for (uint32_t v = 0; v < kIdtVectors; ++v) {
    idt[v] = interrupt_gate(kExceptionStubs + v * kStubSize, kKernelCs, (v == 3 || v == 4) ? 3 : 0);
  }
  VMM_TRY(mem.write_bytes(kIdt, std::as_bytes(std::span(idt))));
  auto stubs = exception_stub_code();
  return mem.write_bytes(kExceptionStubs, std::as_bytes(std::span(stubs)));
}

Result<x86::PageTables> write_page_tables(const GuestMemory& mem, const ElfFile& elf, uint64_t ram_size) {
  std::vector<PageMapping> maps;
  auto add = [&](uint64_t gpa, uint64_t size, PagePerms perms) {
    if (size != 0) maps.push_back({gpa, size, perms});
  };
  const PagePerms supervisor_ro{false, false, false, false};
  add(kGdt, kPageSize, supervisor_ro);
  add(kIdt, kPageSize, supervisor_ro);
  add(kExceptionStubs, kPageSize, {false, false, true, false});
  add(kCpl0Stacks, kPageSize, {true, false, false, false});
  add(kTss, kMaxVcpus * kTssStride, supervisor_ro);

  // Image pages: the union of the permissions of the segments touching each page.
  std::map<uint64_t, PagePerms> image_pages;
  for (const ElfSegment& s : elf.loads) {
    for (uint64_t page = align_down(s.paddr, kPageSize); page < s.paddr + s.mem_size; page += kPageSize) {
      PagePerms& p = image_pages[page];
      p.user = true;
      p.writable |= (s.flags & 2) != 0;    // PF_W
      p.executable |= (s.flags & 1) != 0;  // PF_X
    }
  }
  const PagePerms ram_rw{true, true, false, false};
  const uint64_t image_start = image_pages.begin()->first;
  const uint64_t image_end = image_pages.rbegin()->first + kPageSize;
  add(kImageMin, image_start - kImageMin, ram_rw);
  for (auto it = image_pages.begin(); it != image_pages.end();) {
    // Coalesce runs of contiguous pages with equal permissions; gaps get RAM permissions.
    uint64_t start = it->first;
    PagePerms perms = it->second;
    uint64_t end = start + kPageSize;
    ++it;
    while (it != image_pages.end() && it->first == end && it->second.writable == perms.writable &&
           it->second.executable == perms.executable) {
      end += kPageSize;
      ++it;
    }
    add(start, end - start, perms);
    if (it != image_pages.end()) add(end, it->first - end, ram_rw);
  }
  add(image_end, ram_size - image_end, ram_rw);
  add(kDeviceMmio, kLargePageSize, {true, true, false, true});
  return build_identity_page_tables(mem, kPageTables, kPageTablesEnd, maps);
}

}  // namespace vmm::lean
