#include "http_parser.h"

#include "http_text.h"

namespace httpd {
namespace {

constexpr ParseResult kIncomplete{ParseStatus::kIncomplete, 0};
constexpr ParseResult error(uint16_t status) { return ParseResult{ParseStatus::kError, status}; }

// A line [begin, end) without its terminator; `next` is where the following line starts.
struct Line {
  size_t begin, end, next;
};

// Finds the line starting at `pos`: LF ends it, a CR right before the LF is dropped
// (RFC 9112 section 2.2). false when no LF is in [pos, limit).
bool next_line(const uint8_t* d, size_t pos, size_t limit, Line* line) {
  for (size_t i = pos; i < limit; ++i) {
    if (d[i] == '\n') {
      *line = Line{pos, (i > pos && d[i - 1] == '\r') ? i - 1 : i, i + 1};
      return true;
    }
  }
  return false;
}

// Where the head ends (just past the empty line), or 0 when it has not arrived yet.
size_t find_head_end(const uint8_t* d, size_t length, size_t from) {
  for (size_t i = from; i < length; ++i) {
    if (d[i] != '\n') continue;
    if (i + 1 < length && d[i + 1] == '\n') return i + 2;
    if (i + 2 < length && d[i + 1] == '\r' && d[i + 2] == '\n') return i + 3;
  }
  return 0;
}

// RFC 9112 section 3: method SP request-target SP HTTP-version, checked as far as it has
// arrived so that garbage is refused without waiting for a line end. Returns 0 when the
// prefix is plausible, else the error status.
uint16_t check_request_line_prefix(const uint8_t* d, size_t length) {
  size_t i = 0;
  while (i < length && is_tchar(d[i])) ++i;
  if (i == length) return 0;
  if (i == 0 || d[i] != ' ') return 400;  // empty method or a stray byte in it
  size_t target = ++i;
  while (i < length && d[i] > 0x20 && d[i] < 0x7f) ++i;
  if (i == length) return 0;
  if (i == target || d[i] != ' ') return 400;
  static const char kVersion[] = "HTTP/";
  for (size_t k = 0; ++i < length && k < 5; ++k) {
    if (d[i] != static_cast<uint8_t>(kVersion[k])) return 400;
  }
  return 0;
}

// Parses "HTTP/<digit>.<digit>" (RFC 9112 section 2.3) exactly.
bool parse_version(const uint8_t* d, size_t length, uint8_t* major, uint8_t* minor) {
  if (length != 8 || !equals_ascii(d, 5, "HTTP/", false) || !is_digit(d[5]) || d[6] != '.' || !is_digit(d[7]))
    return false;
  *major = static_cast<uint8_t>(d[5] - '0');
  *minor = static_cast<uint8_t>(d[7] - '0');
  return true;
}

uint16_t parse_request_line(const uint8_t* d, const Line& line, const Limits& limits, Request* out) {
  if (line.end - line.begin > limits.max_request_line) return 414;
  size_t i = line.begin;
  while (i < line.end && is_tchar(d[i])) ++i;
  size_t method_end = i;
  if (method_end == line.begin || i == line.end || d[i] != ' ') return 400;
  size_t target = ++i;
  while (i < line.end && d[i] > 0x20 && d[i] < 0x7f) ++i;
  if (i == target || i == line.end || d[i] != ' ') return 400;
  uint8_t major, minor;
  if (!parse_version(d + i + 1, line.end - i - 1, &major, &minor)) return 400;
  if (major != 1) return 505;  // RFC 9110 15.6.6: we speak only HTTP/1.x

  size_t method_length = method_end - line.begin;
  const uint8_t* m = d + line.begin;
  out->method = equals_ascii(m, method_length, "GET", false)    ? Method::kGet
                : equals_ascii(m, method_length, "HEAD", false) ? Method::kHead
                                                                : Method::kOther;
  out->version_minor = minor > 1 ? 1 : minor;  // RFC 9110 6.2: 1.x with x > 1 is served as 1.1
  out->target = reinterpret_cast<const char*>(d + target);
  out->target_length = i - target;
  return 0;
}

struct Fields {
  int host_count = 0;
  bool has_content_length = false;
  bool has_transfer_encoding = false;
  bool close = false;
  bool keep_alive = false;
  uint64_t content_length = 0;
};

// One field line "name: value" (RFC 9112 section 5). Returns 0 or the error status.
uint16_t parse_field(const uint8_t* d, const Line& line, const Limits& limits, Fields* f) {
  if (line.end - line.begin > limits.max_field_line) return 431;
  if (d[line.begin] == ' ' || d[line.begin] == '\t') return 400;  // obs-fold (5.2)
  size_t i = line.begin;
  while (i < line.end && is_tchar(d[i])) ++i;
  // 5.1: no whitespace is allowed between the field name and the colon.
  if (i == line.begin || i == line.end || d[i] != ':') return 400;
  const uint8_t* name = d + line.begin;
  size_t name_length = i - line.begin;
  size_t vb = i + 1, ve = line.end;
  while (vb < ve && (d[vb] == ' ' || d[vb] == '\t')) ++vb;
  while (ve > vb && (d[ve - 1] == ' ' || d[ve - 1] == '\t')) --ve;
  for (size_t k = vb; k < ve; ++k) {
    if (!is_field_vchar(d[k]) && d[k] != ' ' && d[k] != '\t') return 400;  // CR, NUL, CTLs (5.5)
  }
  const uint8_t* value = d + vb;
  size_t value_length = ve - vb;
  if (equals_ascii(name, name_length, "host", true)) {
    ++f->host_count;
  } else if (equals_ascii(name, name_length, "content-length", true)) {
    uint64_t v;
    // RFC 9110 8.6: a list of identical values may stand for one; anything else is invalid.
    if (!parse_content_length(value, value_length, &v)) return 400;
    if (f->has_content_length && v != f->content_length) return 400;
    f->has_content_length = true;
    f->content_length = v;
  } else if (equals_ascii(name, name_length, "transfer-encoding", true)) {
    f->has_transfer_encoding = true;
  } else if (equals_ascii(name, name_length, "connection", true)) {
    f->close |= has_token(value, value_length, "close");
    f->keep_alive |= has_token(value, value_length, "keep-alive");
  }
  return 0;
}

uint16_t parse_fields(const uint8_t* d, size_t pos, size_t head_end, const Limits& limits, Request* out) {
  Fields f;
  size_t count = 0;
  Line line{};
  while (next_line(d, pos, head_end, &line) && line.end > line.begin) {
    if (++count > limits.max_fields) return 431;
    if (uint16_t status = parse_field(d, line, limits, &f)) return status;
    pos = line.next;
  }
  // RFC 9112 6.1: we decode no transfer coding (501); combined with Content-Length the
  // framing is ambiguous, a smuggling vector (6.3 item 3): 400.
  if (f.has_transfer_encoding) return f.has_content_length ? 400 : 501;
  // RFC 9112 3.2: an HTTP/1.1 request needs exactly one Host; more than one is invalid.
  if (f.host_count > 1 || (out->version_minor >= 1 && f.host_count == 0)) return 400;
  if (f.content_length > limits.max_body) return 413;
  out->content_length = f.content_length;
  // RFC 9112 9.3: 1.1 persists unless "close"; 1.0 only with "keep-alive".
  out->keep_alive = !f.close && (out->version_minor >= 1 || f.keep_alive);
  return 0;
}

}  // namespace

ParseResult parse_request(const uint8_t* d, size_t length, const Limits& limits, size_t* scan_from, Request* out) {
  // RFC 9112 2.2: empty lines before the request line are ignored.
  size_t start = 0;
  while (start < length && (d[start] == '\n' || (d[start] == '\r' && start + 1 < length && d[start + 1] == '\n')))
    start += d[start] == '\r' ? 2 : 1;

  if (start + 1 == length && d[start] == '\r') return kIncomplete;  // the LF is on its way

  size_t from = *scan_from > start ? *scan_from : start;
  size_t head_end = find_head_end(d, length, from);
  if (head_end == 0) {
    *scan_from = length > start + 2 ? length - 2 : start;
    Line line{};
    bool have_line = next_line(d, start, length, &line);
    size_t line_length = have_line ? line.end - start : length - start;
    if (uint16_t status = check_request_line_prefix(d + start, line_length)) return error(status);
    if (line_length > limits.max_request_line) return error(414);
    if (length >= limits.max_head) return error(431);
    return kIncomplete;
  }
  if (head_end > limits.max_head) return error(431);

  Line line{};
  next_line(d, start, head_end, &line);  // exists: the head ends after it
  if (uint16_t status = parse_request_line(d, line, limits, out)) return error(status);
  if (uint16_t status = parse_fields(d, line.next, head_end, limits, out)) return error(status);
  out->head_length = head_end;
  return ParseResult{ParseStatus::kComplete, 0};
}

}  // namespace httpd
