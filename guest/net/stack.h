// One network interface's stack: Ethernet in and out, ARP, IPv4, ICMP echo and TCP, over a
// NetDevice. It is the device's FrameSink and the transports' Ipv4Output.
//
// Per event-loop iteration (see event_loop.h): set_now(); device.receive(stack, budget);
// run_timers(); the application works on tcp(); transmit(); device.flush().
#pragma once

#include "drivers/net_device.h"
#include "net/arp.h"
#include "net/tcp.h"

namespace gnet {

struct StackConfig {
  Ipv4Config ip = kDefaultIpv4Config;
  TcpConfig tcp;
};

class Stack final : public FrameSink, public Ipv4Output {
 public:
  // Reads the MAC and MTU from `device`, which must outlive the stack.
  Stack(NetDevice& device, const StackConfig& config);
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // The guest clock (ns) for everything until the next call.
  void set_now(uint64_t now_ns);
  // A received Ethernet frame (without FCS): validated layer by layer, never trusted.
  void on_frame(const uint8_t* frame, size_t length) override;
  void run_timers() { tcp_.run_timers(); }
  // Queues all pending TCP output on the device (the caller then flushes the device).
  void transmit() { tcp_.transmit(); }
  uint64_t next_deadline() { return tcp_.next_deadline(); }
  bool has_pending_output() const { return tcp_.has_pending_output(); }
  // Broadcasts a gratuitous ARP for our address (call once at start).
  void announce() { arp_.announce(); }

  SendResult send_ipv4(Ipv4Addr dst, uint8_t protocol, const Slice* pieces, size_t count) override;

  Tcp& tcp() { return tcp_; }
  const Stats& stats() const { return stats_; }
  const Ipv4Config& ip_config() const { return ip_; }
  const MacAddr& mac() const { return mac_; }

 private:
  void input_ipv4(const uint8_t* data, size_t length, const MacAddr& link_src, bool link_broadcast);

  NetDevice& device_;
  MacAddr mac_;
  Ipv4Config ip_;
  uint16_t mtu_;
  uint16_t ip_id_ = 0;
  uint64_t now_ = 0;
  Stats stats_ = {};
  Arp arp_;
  Tcp tcp_;  // last: large, mostly untouched until connections arrive
};

}  // namespace gnet
