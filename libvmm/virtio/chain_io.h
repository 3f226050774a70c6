// Moving bytes between the host and the buffers of a validated DescriptorChain. The
// chain's segments were range-checked when it was popped; these helpers only walk them.
// Offsets are relative to the chain's device-readable bytes (read_*) or device-writable
// bytes (write_*), in chain order (2.6.4: no assumption about how messages are framed).
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "virtio/virtqueue.h"

namespace vmm::virtio {

// Copies up to out.size() readable bytes starting at `offset`; returns the bytes copied.
size_t read_from_chain(const DescriptorChain& chain, uint64_t offset, std::span<std::byte> out);

// Copies `in` into the writable bytes starting at `offset`; returns the bytes copied
// (fewer when the writable area ends first).
size_t write_to_chain(const DescriptorChain& chain, uint64_t offset, std::span<const std::byte> in);

// Appends iovecs covering `len` bytes of the readable (writable == false) or writable
// area starting at `offset`. Returns false when the area is shorter than offset + len.
bool chain_iovecs(const DescriptorChain& chain, bool writable, uint64_t offset, uint64_t len,
                  std::vector<iovec>& out);

// Copies a trivially copyable T out of the readable bytes at `offset`; false if short.
template <class T>
bool read_struct(const DescriptorChain& chain, uint64_t offset, T* out) {
  return read_from_chain(chain, offset, std::as_writable_bytes(std::span(out, 1))) == sizeof(T);
}

}  // namespace vmm::virtio
