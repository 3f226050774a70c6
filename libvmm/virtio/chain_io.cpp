#include "virtio/chain_io.h"

#include <algorithm>
#include <cstring>

namespace vmm::virtio {
namespace {

// Calls fn(host_pointer, bytes) for the part of the chosen area in [offset, offset + len).
// Returns the bytes visited.
template <class Fn>
uint64_t visit(const DescriptorChain& chain, bool writable, uint64_t offset, uint64_t len, Fn&& fn) {
  uint64_t done = 0;
  for (const Segment& s : chain.segments) {
    if (s.writable != writable || done == len) continue;
    if (offset >= s.len) {
      offset -= s.len;
      continue;
    }
    const uint64_t n = std::min<uint64_t>(s.len - offset, len - done);
    fn(s.host + offset, n, done);
    done += n;
    offset = 0;
  }
  return done;
}

}  // namespace

size_t read_from_chain(const DescriptorChain& chain, uint64_t offset, std::span<std::byte> out) {
  return visit(chain, false, offset, out.size(),
               [&](std::byte* p, uint64_t n, uint64_t at) { std::memcpy(out.data() + at, p, n); });
}

size_t write_to_chain(const DescriptorChain& chain, uint64_t offset, std::span<const std::byte> in) {
  return visit(chain, true, offset, in.size(),
               [&](std::byte* p, uint64_t n, uint64_t at) { std::memcpy(p, in.data() + at, n); });
}

bool chain_iovecs(const DescriptorChain& chain, bool writable, uint64_t offset, uint64_t len,
                  std::vector<iovec>& out) {
  const uint64_t got = visit(chain, writable, offset, len, [&](std::byte* p, uint64_t n, uint64_t) {
    out.push_back({p, n});
  });
  return got == len;
}

}  // namespace vmm::virtio
