#include "virtio/blk_request.h"

#include "core/checked_math.h"
#include "virtio/chain_io.h"

namespace vmm::virtio {
namespace {

BlkParse fail(BlkParse p, BlkParse::Outcome outcome, const char* problem) {
  p.outcome = outcome;
  p.problem = problem;
  return p;
}

// 5.2.6.1: IN/OUT data is a multiple of 512 bytes and lies inside the disk.
const char* check_range(const BlkRequest& r, const BlkLimits& limits) {
  if (r.data_len % blk::kSectorSize != 0) return "data length is not a multiple of 512";
  auto end = checked_add(r.sector, r.data_len / blk::kSectorSize);
  if (!end || *end > limits.capacity) return "sector range beyond the end of the disk";
  return nullptr;
}

}  // namespace

BlkParse parse_blk_request(const DescriptorChain& chain, const BlkLimits& limits) {
  BlkParse p;
  // 5.2.6: the status byte is the last device-writable byte; without one nothing can be
  // reported.
  if (chain.writable_bytes == 0) return fail(p, BlkParse::NoStatus, "no device-writable status byte");
  BlkRequest& r = p.request;
  r.status_offset = chain.writable_bytes - 1;
  // 5.2.6: the 16-byte header (type, reserved, sector) is device-readable. A header in
  // writable memory (or a short one) is malformed.
  blk::RequestHeader header;
  if (!read_struct(chain, 0, &header)) return fail(p, BlkParse::IoErr, "request header is not 16 device-readable bytes");
  r.type = header.type;
  r.sector = header.sector;
  // Segment limits (5.2.4 seg_max/size_max): header and status take at most 2 more.
  if (chain.segments.size() > uint64_t{limits.seg_max} + 2) return fail(p, BlkParse::IoErr, "more segments than seg_max");
  for (const Segment& s : chain.segments) {
    if (s.len > limits.size_max + sizeof header) return fail(p, BlkParse::IoErr, "a segment is larger than size_max");
  }

  switch (r.type) {
    case blk::kTIn:
      // 5.2.6: IN data is device-writable, between the header and the status.
      if (chain.readable_bytes != sizeof header) return fail(p, BlkParse::IoErr, "read request with readable data");
      r.data_len = chain.writable_bytes - 1;
      if (const char* why = check_range(r, limits)) return fail(p, BlkParse::IoErr, why);
      break;
    case blk::kTOut:
      if (chain.writable_bytes != 1) return fail(p, BlkParse::IoErr, "write request with writable data");
      r.data_len = chain.readable_bytes - sizeof header;
      // 5.2.6.2: a read-only device fails writes with VIRTIO_BLK_S_IOERR.
      if (limits.read_only) return fail(p, BlkParse::IoErr, "write to a read-only disk");
      if (const char* why = check_range(r, limits)) return fail(p, BlkParse::IoErr, why);
      break;
    case blk::kTFlush:
      // 5.2.6.2: FLUSH exists only when VIRTIO_BLK_F_FLUSH was negotiated.
      if (!limits.flush_negotiated) return fail(p, BlkParse::Unsupp, "flush without VIRTIO_BLK_F_FLUSH");
      if (chain.readable_bytes != sizeof header || chain.writable_bytes != 1) {
        return fail(p, BlkParse::IoErr, "flush request with data");
      }
      break;
    case blk::kTGetId:
      if (chain.readable_bytes != sizeof header) return fail(p, BlkParse::IoErr, "get-id request with readable data");
      r.data_len = chain.writable_bytes - 1;
      if (r.data_len < blk::kIdBytes) return fail(p, BlkParse::IoErr, "get-id buffer shorter than 20 bytes");
      r.data_len = blk::kIdBytes;
      break;
    default:
      // 5.2.6.2: unknown types complete with VIRTIO_BLK_S_UNSUPP.
      return fail(p, BlkParse::Unsupp, "unsupported request type");
  }
  if (r.data_len > uint64_t{limits.seg_max} * limits.size_max) {
    return fail(p, BlkParse::IoErr, "request larger than seg_max * size_max");
  }
  p.outcome = BlkParse::Ok;
  return p;
}

}  // namespace vmm::virtio
