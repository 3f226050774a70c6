#include "net/addr.h"

namespace gnet {
namespace {

// Parses a decimal number of 1-3 digits at most `max`; advances *pos.
bool parse_small_decimal(const char* text, size_t length, size_t* pos, uint32_t max, uint32_t* out) {
  size_t start = *pos;
  uint32_t value = 0;
  while (*pos < length && *pos - start < 3 && text[*pos] >= '0' && text[*pos] <= '9') {
    value = value * 10 + static_cast<uint32_t>(text[*pos] - '0');
    ++*pos;
  }
  if (*pos == start || value > max) return false;
  if (*pos < length && text[*pos] >= '0' && text[*pos] <= '9') return false;  // 4+ digits
  *out = value;
  return true;
}

size_t find(const char* text, size_t from, size_t length, char c) {
  while (from < length && text[from] != c) ++from;
  return from;
}

}  // namespace

bool parse_ipv4(const char* text, size_t length, Ipv4Addr* out) {
  Ipv4Addr a = 0;
  size_t pos = 0;
  for (int part = 0; part < 4; ++part) {
    if (part > 0) {
      if (pos >= length || text[pos] != '.') return false;
      ++pos;
    }
    uint32_t v;
    if (!parse_small_decimal(text, length, &pos, 255, &v)) return false;
    a = (a << 8) | v;
  }
  if (pos != length) return false;
  *out = a;
  return true;
}

bool parse_netdev_ip(const char* text, Ipv4Config* out) {
  size_t length = strlen(text);
  size_t colon = find(text, 0, length, ':');
  size_t slash = find(text, 0, colon, '/');

  Ipv4Config c{0, 24, 0};
  if (!parse_ipv4(text, slash, &c.address)) return false;
  if (slash < colon) {
    size_t pos = slash + 1;
    uint32_t prefix;
    if (!parse_small_decimal(text, colon, &pos, 32, &prefix) || pos != colon || prefix == 0) return false;
    c.prefix_length = static_cast<uint8_t>(prefix);
  }
  if (colon < length) {
    size_t end = find(text, colon + 1, length, ':');
    if (end > colon + 1) {  // an empty gateway field means none
      if (!parse_ipv4(text + colon + 1, end - colon - 1, &c.gateway)) return false;
      if (!c.on_link(c.gateway)) return false;
    }
  }
  if (c.address == 0 || c.address == kIpv4Broadcast || (c.address >> 28) == 0xe) return false;
  *out = c;
  return true;
}

size_t format_ipv4(Ipv4Addr a, char* out) {
  size_t n = 0;
  for (int shift = 24; shift >= 0; shift -= 8) {
    uint32_t v = (a >> shift) & 0xff;
    if (v >= 100) out[n++] = static_cast<char>('0' + v / 100);
    if (v >= 10) out[n++] = static_cast<char>('0' + v / 10 % 10);
    out[n++] = static_cast<char>('0' + v % 10);
    if (shift) out[n++] = '.';
  }
  out[n] = '\0';
  return n;
}

}  // namespace gnet
