// httpd's configuration from command-line parameters, Unikraft style (before " -- "):
//   netdev.ip=<addr>/<prefix>:<gateway>   default 10.0.0.2/24, gateway 10.0.0.1
//   httpd.port=<1-65535>                   default 80
//   httpd.header_timeout_ms=<ms>           default 10000
//   httpd.keepalive_timeout_ms=<ms>        default 30000
//   httpd.send_timeout_ms=<ms>             default 30000
//   tcp.time_wait_ms=<ms>                  default 1000
//   netdev.announce=<0|1>                  default 0: no gratuitous ARP at boot (the
//                                          host learns our MAC from our first reply;
//                                          each boot frame costs an exit)
// The same parser serves the guest (rt::param) and the host harness (argv).
#pragma once

#include "net/stack.h"
#include "server.h"

namespace httpd {

struct HttpdOptions {
  gnet::StackConfig stack;
  HttpConfig http;
  bool announce = false;  // send a gratuitous ARP when ready
};

// Looks up parameter `name`; nullptr when absent.
using ParamLookup = const char* (*)(const char* name, void* context);

// Fills *out from the parameters; returns nullptr, or the name of the first parameter
// whose value is invalid.
const char* parse_httpd_options(ParamLookup lookup, void* context, HttpdOptions* out);

}  // namespace httpd
