// Segment descriptors, the 64-bit TSS and interrupt gates (Intel SDM vol. 3A sections
// 3.4.5, 7.2.3, 6.14.1), and their kvm_segment counterparts for KVM_SET_SREGS.
#pragma once

#include <linux/kvm.h>

#include <cstdint>

namespace vmm::x86 {

enum class SegmentKind { Code64, Code32, Data };

// An 8-byte code/data descriptor, flat (base 0, limit 4 GiB), accessed bit preset.
uint64_t flat_segment_descriptor(SegmentKind kind, unsigned dpl);
// The kvm_segment KVM_SET_SREGS wants for the same segment and selector.
kvm_segment flat_kvm_segment(SegmentKind kind, unsigned dpl, uint16_t selector);

// The 16-byte system descriptor of a 64-bit TSS (type 0xB: busy, since KVM loads TR
// without the CPU's `ltr`).
struct SystemDescriptor {
  uint64_t low;
  uint64_t high;
};
SystemDescriptor tss_descriptor(uint64_t base, uint32_t limit);
// TR as KVM_SET_SREGS loads it: type 0xB (busy) by default, 0x9 (available) with `busy`
// false. Which one a KVM needs: lean::tr_must_be_busy().
kvm_segment tss_kvm_segment(uint64_t base, uint32_t limit, uint16_t selector, bool busy = true);

// A 16-byte 64-bit interrupt gate (type 0xE) to `handler` in code segment `cs`.
SystemDescriptor interrupt_gate(uint64_t handler, uint16_t cs, unsigned dpl);

// 64-bit TSS layout (SDM figure 8-11).
inline constexpr uint32_t kTssRsp0Offset = 4;
inline constexpr uint32_t kTssIoMapBaseOffset = 102;
inline constexpr uint32_t kTssSize = 104;

}  // namespace vmm::x86
