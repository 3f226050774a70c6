// Architectural register bits and MSR numbers (Intel SDM vol. 3A sections 2.5, 2.2.1).
#pragma once

#include <cstdint>

namespace vmm::x86 {

inline constexpr uint64_t kCr0Pe = 1ull << 0;
inline constexpr uint64_t kCr0Mp = 1ull << 1;
inline constexpr uint64_t kCr0Et = 1ull << 4;
inline constexpr uint64_t kCr0Ne = 1ull << 5;
inline constexpr uint64_t kCr0Wp = 1ull << 16;
inline constexpr uint64_t kCr0Pg = 1ull << 31;

inline constexpr uint64_t kCr4Pae = 1ull << 5;
inline constexpr uint64_t kCr4Pge = 1ull << 7;
inline constexpr uint64_t kCr4Osfxsr = 1ull << 9;
inline constexpr uint64_t kCr4Osxmmexcpt = 1ull << 10;
inline constexpr uint64_t kCr4Osxsave = 1ull << 18;

inline constexpr uint64_t kEferSce = 1ull << 0;
inline constexpr uint64_t kEferLme = 1ull << 8;
inline constexpr uint64_t kEferLma = 1ull << 10;
inline constexpr uint64_t kEferNxe = 1ull << 11;

inline constexpr uint64_t kRflagsReserved1 = 1ull << 1;
inline constexpr uint64_t kRflagsIf = 1ull << 9;

inline constexpr uint32_t kMsrIa32Tsc = 0x10;
inline constexpr uint32_t kMsrIa32ApicBase = 0x1b;
inline constexpr uint32_t kMsrIa32MiscEnable = 0x1a0;
inline constexpr uint32_t kMsrIa32Pat = 0x277;
inline constexpr uint32_t kMsrEfer = 0xc0000080;

// IA32_APIC_BASE (SDM vol. 3A section 11.4.4): the reset value is 0xfee00000 | enable,
// plus the BSP flag on the boot processor.
inline constexpr uint64_t kApicBaseDefault = 0xfee00000;
inline constexpr uint64_t kApicBaseEnable = 1ull << 11;
inline constexpr uint64_t kApicBaseBsp = 1ull << 8;

inline constexpr uint64_t kXcr0X87 = 1ull << 0;
inline constexpr uint64_t kXcr0Sse = 1ull << 1;
inline constexpr uint64_t kXcr0Avx = 1ull << 2;

}  // namespace vmm::x86
