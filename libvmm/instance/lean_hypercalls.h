// Lean-ABI hypercalls (include/vmm/guest_abi.h). The guest hands over the address of an
// argument block; the VMM copies the block once, validates the copy, acts, and writes
// only the result fields back.
#pragma once

#include <cstdint>
#include <optional>

#include "vmm/guest_memory.h"
#include "vmm/instance.h"
#include "vmm/vcpu.h"

namespace vmm {

struct VcpuSlot;

// Handles a port-I/O exit if it targets the hypercall ports; returns false otherwise.
// Malformed accesses (wrong size or direction, string I/O, unreadable block) are counted
// and ignored: reads return all ones, nothing is written to the guest.
bool handle_lean_hypercall(Instance::Impl& inst, VcpuSlot& slot, const VcpuExit::IoAccess& io);

// The hypercall number of a well-formed hypercall access (a single 32-bit OUT to a
// hypercall port), or nullopt. Exposed for tests.
std::optional<unsigned> decode_hypercall(const VcpuExit::IoAccess& io);

// The block address and size check: 8-byte aligned, wholly inside guest RAM.
bool hypercall_block_ok(const GuestMemory& mem, uint64_t gpa, uint64_t size);

// VMM_HC_CONSOLE_WRITE checks, on the copied block: result >= 0 is the length to copy,
// negative a -VMM_E* error.
int64_t check_console_write(const GuestMemory& mem, uint64_t data, uint64_t length);

}  // namespace vmm
