// Response heads, status lines, error pages and the Date header (RFC 9110).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace httpd {

constexpr size_t kHttpDateLength = 29;      // "Sun, 06 Nov 1994 08:49:37 GMT"
constexpr size_t kMaxResponseHead = 320;    // every head we format fits

struct ResponseHead {
  uint16_t status;
  const char* content_type;
  uint64_t content_length;
  bool keep_alive;
  const char* date;  // kHttpDateLength characters (IMF-fixdate)
};

// "Not Found" for 404, etc.; "Unknown" for a status we never send.
const char* reason_phrase(uint16_t status);

// Writes the status line and header fields, ending with the empty line, into `out`
// (kMaxResponseHead bytes); returns the length. 405 responses carry Allow (RFC 9110
// 15.5.6 MUST).
size_t format_response_head(char* out, const ResponseHead& head);

// A small static HTML page for an error status; *length gets its size.
const char* error_page(uint16_t status, size_t* length);

// IMF-fixdate (RFC 9110 5.6.7) for `unix_seconds` (clamped at the epoch): writes
// kHttpDateLength characters and a NUL.
void format_http_date(int64_t unix_seconds, char* out);

}  // namespace httpd
