#include "options.h"

namespace httpd {
namespace {

// Decimal without sign or suffix, at most `max`.
bool parse_decimal(const char* s, uint64_t max, uint64_t* out) {
  if (*s == '\0') return false;
  uint64_t v = 0;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
    v = v * 10 + static_cast<uint64_t>(*s - '0');
    if (v > max) return false;
  }
  *out = v;
  return true;
}

// Reads an optional millisecond parameter into *ns; false when present and invalid.
bool read_ms(ParamLookup lookup, void* context, const char* name, uint64_t* ns) {
  const char* value = lookup(name, context);
  uint64_t ms;
  if (value == nullptr) return true;
  if (!parse_decimal(value, 86'400'000, &ms)) return false;
  *ns = ms * 1'000'000;
  return true;
}

}  // namespace

const char* parse_httpd_options(ParamLookup lookup, void* context, HttpdOptions* out) {
  *out = HttpdOptions{};
  if (const char* ip = lookup("netdev.ip", context)) {
    if (!gnet::parse_netdev_ip(ip, &out->stack.ip)) return "netdev.ip";
  }
  if (const char* port = lookup("httpd.port", context)) {
    uint64_t v;
    if (!parse_decimal(port, 65535, &v) || v == 0) return "httpd.port";
    out->http.port = static_cast<uint16_t>(v);
  }
  if (!read_ms(lookup, context, "httpd.header_timeout_ms", &out->http.header_timeout_ns)) return "httpd.header_timeout_ms";
  if (!read_ms(lookup, context, "httpd.keepalive_timeout_ms", &out->http.keepalive_timeout_ns))
    return "httpd.keepalive_timeout_ms";
  if (!read_ms(lookup, context, "httpd.send_timeout_ms", &out->http.send_timeout_ns)) return "httpd.send_timeout_ms";
  if (!read_ms(lookup, context, "tcp.time_wait_ms", &out->stack.tcp.time_wait_ns)) return "tcp.time_wait_ms";
  if (const char* announce = lookup("netdev.announce", context)) {
    uint64_t v;
    if (!parse_decimal(announce, 1, &v)) return "netdev.announce";
    out->announce = v == 1;
  }
  return nullptr;
}

}  // namespace httpd
