#include "arch/x86_64/descriptors.h"

namespace vmm::x86 {
namespace {

constexpr uint8_t type_bits(SegmentKind kind) {
  // S=1 plus type: code = execute/read (0xA), data = read/write (0x2); accessed (bit 0).
  return kind == SegmentKind::Data ? 0x3 : 0xB;
}

}  // namespace

uint64_t flat_segment_descriptor(SegmentKind kind, unsigned dpl) {
  uint64_t d = 0xffff;                                         // limit 15:0
  d |= uint64_t{type_bits(kind)} << 40;                        // type
  d |= 1ull << 44;                                             // S: code/data
  d |= uint64_t{dpl & 3} << 45;                                // DPL
  d |= 1ull << 47;                                             // P
  d |= 0xfull << 48;                                           // limit 19:16
  if (kind == SegmentKind::Code64) d |= 1ull << 53;            // L
  if (kind != SegmentKind::Code64) d |= 1ull << 54;            // D/B
  d |= 1ull << 55;                                             // G
  return d;
}

kvm_segment flat_kvm_segment(SegmentKind kind, unsigned dpl, uint16_t selector) {
  kvm_segment s{};
  s.base = 0;
  s.limit = 0xffffffff;
  s.selector = selector;
  s.type = type_bits(kind);
  s.present = 1;
  s.dpl = static_cast<uint8_t>(dpl & 3);
  s.db = kind == SegmentKind::Code64 ? 0 : 1;
  s.s = 1;
  s.l = kind == SegmentKind::Code64 ? 1 : 0;
  s.g = 1;
  return s;
}

SystemDescriptor tss_descriptor(uint64_t base, uint32_t limit) {
  uint64_t low = limit & 0xffff;
  low |= (base & 0xffffff) << 16;
  low |= 0xBull << 40;  // 64-bit TSS, busy
  low |= 1ull << 47;    // P
  low |= uint64_t{(limit >> 16) & 0xf} << 48;
  low |= ((base >> 24) & 0xff) << 56;
  return {low, base >> 32};
}

kvm_segment tss_kvm_segment(uint64_t base, uint32_t limit, uint16_t selector, bool busy) {
  kvm_segment s{};
  s.base = base;
  s.limit = limit;
  s.selector = selector;
  s.type = busy ? 0xB : 0x9;
  s.present = 1;
  return s;
}

SystemDescriptor interrupt_gate(uint64_t handler, uint16_t cs, unsigned dpl) {
  uint64_t low = handler & 0xffff;
  low |= uint64_t{cs} << 16;
  low |= 0xEull << 40;  // 64-bit interrupt gate
  low |= uint64_t{dpl & 3} << 45;
  low |= 1ull << 47;    // P
  low |= ((handler >> 16) & 0xffff) << 48;
  return {low, handler >> 32};
}

}  // namespace vmm::x86
