// libFuzzer target: httpd's request-head parser and target resolution. Checks, besides
// memory safety, that feeding the bytes in two pieces (resuming with scan_from) gives the
// same answer as feeding them at once, that lengths stay inside the input, and that only
// the documented error statuses come out.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "docroot.h"
#include "http_parser.h"

namespace {

const httpd::DocFile kFiles[] = {
    {"/a/index.html", reinterpret_cast<const uint8_t*>("a"), 1},
    {"/index.html", reinterpret_cast<const uint8_t*>("i"), 1},
};
const httpd::Docroot kDocroot(kFiles, 2);

void check(bool condition) {
  if (!condition) __builtin_trap();
}

bool same(const httpd::ParseResult& a, const httpd::ParseResult& b, const httpd::Request& ra,
          const httpd::Request& rb) {
  if (a.status != b.status || a.error != b.error) return false;
  if (a.status != httpd::ParseStatus::kComplete) return true;
  return ra.head_length == rb.head_length && ra.method == rb.method && ra.target_length == rb.target_length &&
         ra.keep_alive == rb.keep_alive && ra.content_length == rb.content_length;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  httpd::Limits limits;
  if (data[0] & 1) {  // also exercise small limits
    limits.max_request_line = 64;
    limits.max_head = 256;
    limits.max_field_line = 64;
    limits.max_fields = 4;
  }
  size_t split = size > 1 ? data[0] % size : 0;
  ++data;
  --size;
  if (split > size) split = size;
  std::vector<uint8_t> buffer(data, data + size);  // exact-size copy: ASan sees overreads

  size_t scan = 0;
  httpd::Request whole{};
  httpd::ParseResult r = httpd::parse_request(buffer.data(), size, limits, &scan, &whole);
  check(scan <= size);
  if (r.status == httpd::ParseStatus::kError) {
    uint16_t e = r.error;
    check(e == 400 || e == 413 || e == 414 || e == 431 || e == 501 || e == 505);
  }
  if (r.status == httpd::ParseStatus::kComplete) {
    check(whole.head_length <= size && whole.head_length <= limits.max_head);
    const auto* target = reinterpret_cast<const uint8_t*>(whole.target);
    check(target >= buffer.data() && target + whole.target_length <= buffer.data() + whole.head_length);
    const httpd::DocFile* file = nullptr;
    uint16_t status = kDocroot.resolve(whole.target, whole.target_length, &file);
    check(status == 200 || status == 400 || status == 404);
    check((status == 200) == (file != nullptr && status == 200));
  }

  // Incremental: first `split` bytes, then all of them, resuming the scan.
  size_t resume = 0;
  httpd::Request first{}, second{};
  httpd::ParseResult a = httpd::parse_request(buffer.data(), split, limits, &resume, &first);
  if (a.status == httpd::ParseStatus::kIncomplete) {
    httpd::ParseResult b = httpd::parse_request(buffer.data(), size, limits, &resume, &second);
    check(same(b, r, second, whole));
  }
  return 0;
}
