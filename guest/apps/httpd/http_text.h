// Character classes and small token helpers of the HTTP grammar (RFC 9110 section 5.6).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace httpd {

inline bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }
inline bool is_alpha(uint8_t c) { return (c | 0x20) >= 'a' && (c | 0x20) <= 'z'; }

// tchar: "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" /
// "|" / "~" / DIGIT / ALPHA (RFC 9110 5.6.2).
inline bool is_tchar(uint8_t c) {
  if (is_digit(c) || is_alpha(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

// field-vchar: VCHAR / obs-text (RFC 9110 5.5).
inline bool is_field_vchar(uint8_t c) { return (c > 0x20 && c < 0x7f) || c >= 0x80; }

inline uint8_t to_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? static_cast<uint8_t>(c | 0x20) : c; }

// Compares `length` bytes at `d` with the NUL-terminated `literal`; ASCII case folding
// when `ignore_case` (field names and tokens are case-insensitive, methods are not).
inline bool equals_ascii(const uint8_t* d, size_t length, const char* literal, bool ignore_case) {
  size_t i = 0;
  for (; i < length && literal[i] != '\0'; ++i) {
    uint8_t a = d[i], b = static_cast<uint8_t>(literal[i]);
    if (ignore_case ? to_lower(a) != to_lower(b) : a != b) return false;
  }
  return i == length && literal[i] == '\0';
}

// True when the comma-separated list `value` holds `token` (case-insensitive, OWS
// around elements), as in Connection (RFC 9110 7.6.1).
inline bool has_token(const uint8_t* value, size_t length, const char* token) {
  size_t i = 0;
  while (i < length) {
    while (i < length && (value[i] == ' ' || value[i] == '\t' || value[i] == ',')) ++i;
    size_t begin = i;
    while (i < length && value[i] != ',') ++i;
    size_t end = i;
    while (end > begin && (value[end - 1] == ' ' || value[end - 1] == '\t')) --end;
    if (end > begin && equals_ascii(value + begin, end - begin, token, true)) return true;
  }
  return false;
}

// Content-Length = 1*DIGIT (RFC 9110 8.6), also as a list of identical values ("5, 5").
// Values too large for 63 bits saturate (and are refused by the body limit).
inline bool parse_content_length(const uint8_t* value, size_t length, uint64_t* out) {
  bool have = false;
  uint64_t result = 0;
  size_t i = 0;
  while (i < length) {
    size_t begin = i;
    uint64_t v = 0;
    while (i < length && is_digit(value[i])) {
      v = v > (UINT64_MAX >> 2) / 10 ? (UINT64_MAX >> 2) : v * 10 + (value[i] - '0');
      ++i;
    }
    if (i == begin || (have && v != result)) return false;
    have = true;
    result = v;
    while (i < length && (value[i] == ' ' || value[i] == '\t')) ++i;
    if (i < length) {
      if (value[i] != ',') return false;
      ++i;
      while (i < length && (value[i] == ' ' || value[i] == '\t')) ++i;
      if (i == length) return false;
    }
  }
  *out = result;
  return have;
}

}  // namespace httpd
