// HTTP/1.1 request-head parser (RFC 9112 sections 2-6, RFC 9110 field semantics) for a
// server that serves GET and HEAD. Works on the bytes received so far, without copying:
// call it again as more arrive. Strict where laxity enables request smuggling
// (whitespace before ':', obs-fold, conflicting framing), lenient where the RFC allows
// (leading empty lines, bare LF line ends).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace httpd {

enum class Method : uint8_t { kGet, kHead, kOther };

struct Limits {
  size_t max_request_line = 2048;  // longer: 414 (URI Too Long)
  size_t max_head = 4096;          // request line + fields + empty line; longer: 431
  size_t max_field_line = 2048;    // one field line; longer: 431
  size_t max_fields = 64;          // more: 431
  uint64_t max_body = 1 << 20;     // Content-Length above this: 413 (the body is discarded)
};

struct Request {
  Method method;
  uint8_t version_minor;  // HTTP/1.<minor>; the major is always 1
  const char* target;     // request-target, pointing into the parsed buffer
  size_t target_length;
  bool keep_alive;        // RFC 9112 section 9.3, from the version and Connection
  uint64_t content_length;
  size_t head_length;     // bytes of the head including leading empty lines
};

enum class ParseStatus : uint8_t { kIncomplete, kComplete, kError };

struct ParseResult {
  ParseStatus status;
  uint16_t error;  // for kError: 400, 413, 414, 431, 501 or 505; the connection must close
};

// Parses the request head at the start of `data` (`length` bytes received so far).
// *scan_from carries, between calls for the same request, how far the search for the end
// of the head has got; start it at 0 for every new request. On kComplete, *out describes
// the request and out->head_length bytes can be consumed; a body of
// out->content_length bytes follows.
ParseResult parse_request(const uint8_t* data, size_t length, const Limits& limits, size_t* scan_from,
                          Request* out);

}  // namespace httpd
