// libFuzzer target: the stack's input path (Ethernet, ARP, IPv4, ICMP, TCP) with a fake
// device and a fake clock, httpd serving port 80 and a scripted application on port 81.
// The input is a program of operations: raw frames, TCP segments whose sequence numbers
// are derived from what the stack last sent (so the fuzzer reaches deep states without
// guessing ISNs) with checksums fixed up, clock jumps and application calls. After every
// operation the TCP invariants are checked.
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "docroot.h"
#include "fake_device.h"
#include "net/stack.h"
#include "packets.h"
#include "server.h"

namespace {

using nettest::Frame;
constexpr gnet::Ipv4Addr kServer = gnet::ipv4(198, 18, 0, 2);
constexpr gnet::Ipv4Addr kClient = gnet::ipv4(198, 18, 0, 1);
const gnet::MacAddr kServerMac{{0x02, 0, 0, 0, 0, 0x02}};
const gnet::MacAddr kClientMac{{0x02, 0, 0, 0, 0, 0x01}};
const std::string kBody(3000, 'b');
const std::string kRequest = "GET / HTTP/1.1\r\nHost: f\r\n\r\n";
const httpd::DocFile kFiles[] = {{"/index.html", reinterpret_cast<const uint8_t*>(kBody.data()), 3000}};
const httpd::Docroot kDocroot(kFiles, 1);

void check(bool condition) {
  if (!condition) __builtin_trap();
}

// Reads the program front to back; past the end everything reads as zero.
class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  bool done() const { return pos_ >= size_; }
  uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t u16() { return static_cast<uint16_t>((byte() << 8) | byte()); }
  uint32_t u32() { return (uint32_t{u16()} << 16) | u16(); }
  std::vector<uint8_t> bytes(size_t n) {
    size_t take = n < size_ - pos_ ? n : (pos_ < size_ ? size_ - pos_ : 0);
    std::vector<uint8_t> out(data_ + pos_, data_ + pos_ + take);
    pos_ += take;
    return out;
  }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

struct Peer {
  uint32_t seq = 0;         // next sequence number we send
  uint32_t server_nxt = 0;  // what we acknowledge: the end of the server's last segment
};

class Session {
 public:
  Session() : dev(kServerMac) {
    gnet::StackConfig config;
    config.ip = gnet::Ipv4Config{kServer, 15, kClient};
    config.tcp.max_connections = 8;  // reach table-full quickly
    config.tcp.time_wait_ns = 100'000'000;
    stack = std::make_unique<gnet::Stack>(dev, config);
    httpd::HttpConfig http;
    http.header_timeout_ns = 1'000'000'000;
    server = std::make_unique<httpd::HttpServer>(stack->tcp(), kDocroot, http, 0);
    check(server->start());
    app_listener = stack->tcp().listen(81, 4);
    stack->set_now(now);
    deliver(nettest::ethernet(kServerMac, kClientMac, gnet::kEtherTypeArp,
                              nettest::arp(1, kClientMac, kClient, gnet::MacAddr{}, kServer)));
  }

  // Each operation: one opcode byte (low 3 bits select, the rest are arguments).
  void run(Reader& in) {
    while (!in.done()) {
      uint8_t op = in.byte();
      switch (op & 7) {
        case 0: deliver(in.bytes(in.u16() % 1600)); break;
        case 1:
        case 2: segment(in, op >> 3); break;  // the common case gets two opcodes
        case 3: ip_packet(in, op >> 3); break;
        case 4: now += uint64_t{in.byte()} * 100'000'000; break;
        case 5: app_call(in, op >> 3); break;
        case 6: dev.refuse_sends = (op & 8) != 0; break;
        default: arp_packet(in, op >> 3); break;
      }
      stack->set_now(now);
      stack->run_timers();
      server->run(now);
      stack->transmit();
      observe();
      check(stack->tcp().check_invariants());
    }
  }

 private:
  void deliver(const Frame& f) {
    stack->set_now(now);
    stack->on_frame(f.data(), f.size());
  }

  // A TCP segment from the client: argument bits pick the source port (4) and the
  // destination (httpd, the scripted app, or a closed port); then flags, sequence and
  // acknowledgment offsets from what the stack last sent, window, options and payload.
  void segment(Reader& in, uint8_t args) {
    nettest::TcpFields f;
    f.src_port = static_cast<uint16_t>(40000 + (args & 3));
    f.dst_port = (args & 4) ? 81 : ((args & 8) ? 82 : 80);
    f.flags = in.byte() & 0x3f;
    Peer& p = peers[f.src_port];
    if (f.flags & gnet::kTcpSyn) p.seq = in.u32();
    f.seq = p.seq + static_cast<uint32_t>(static_cast<int8_t>(in.byte()) * 64);
    f.ack = p.server_nxt + static_cast<uint32_t>(static_cast<int8_t>(in.byte()) * 64);
    f.window = static_cast<uint16_t>(in.byte() << 8 | 0xff);
    uint8_t shape = in.byte();
    if (shape & 0x80) f.options = in.bytes(shape & 0x3f);
    Frame payload = (shape & 0x40) ? Frame(kRequest.begin(), kRequest.end()) : in.bytes(in.byte() * 6u);
    Frame seg = nettest::tcp(kClient, kServer, f, std::string(payload.begin(), payload.end()));
    if ((args & 0x10) && !seg.empty()) seg[in.byte() % seg.size()] ^= 1;  // a bad checksum
    if (f.flags & gnet::kTcpSyn) p.seq += 1;
    p.seq += static_cast<uint32_t>(payload.size()) + ((f.flags & gnet::kTcpFin) ? 1 : 0);
    deliver(nettest::ethernet(kServerMac, kClientMac, gnet::kEtherTypeIpv4,
                              nettest::ipv4(kClient, kServer, gnet::kIpProtoTcp, seg)));
  }

  // An IPv4 packet with hostile header fields; the checksum is fixed up unless told not to.
  void ip_packet(Reader& in, uint8_t args) {
    uint8_t protocol = (args & 1) ? gnet::kIpProtoTcp : ((args & 2) ? gnet::kIpProtoIcmp : in.byte());
    gnet::Ipv4Addr src = (args & 4) ? in.u32() : kClient;
    Frame p = nettest::ipv4(src, kServer, protocol, in.bytes(in.u16() % 1500), (args & 8) ? in.u16() : 0);
    if (args & 0x10) p[0] = in.byte();
    Frame f = nettest::ethernet(kServerMac, kClientMac, gnet::kEtherTypeIpv4, p);
    if ((p[0] & 0x0f) >= 5 && size_t{p[0] & 0x0fu} * 4 <= p.size()) nettest::fix_ipv4_checksum(f);
    if (in.byte() & 1) {  // lie about the total length
      f[gnet::kEthHeaderLength + 2] = in.byte();
      f[gnet::kEthHeaderLength + 3] = in.byte();
    }
    deliver(f);
  }

  void arp_packet(Reader& in, uint8_t args) {
    Frame a = nettest::arp(args & 3, kClientMac, (args & 4) ? in.u32() : kClient, gnet::MacAddr{},
                           (args & 8) ? in.u32() : kServer);
    a.resize(in.byte() % (a.size() + 4));
    deliver(nettest::ethernet(gnet::MacAddr::broadcast(), kClientMac, gnet::kEtherTypeArp, a));
  }

  // The scripted application on port 81.
  void app_call(Reader& in, uint8_t args) {
    gnet::Tcp& tcp = stack->tcp();
    gnet::ConnId accepted = tcp.accept(app_listener);
    if (accepted.valid()) conns.push_back(accepted);
    uint8_t events;
    while (tcp.next_event(&events).valid()) {
    }
    if (conns.empty()) return;
    gnet::ConnId id = conns[in.byte() % conns.size()];
    const uint8_t* data;
    switch (args & 7) {
      case 0: tcp.consume(id, in.byte() % (tcp.readable(id, &data) + 1)); break;
      case 1: {
        Frame bytes = in.bytes(in.byte() * 8u);
        check(tcp.send_copy(id, bytes.data(), bytes.size()) <= bytes.size());
        break;
      }
      case 2: tcp.send_ref(id, kBody.data(), in.byte() * 11u); break;  // <= kBody.size()
      case 3: tcp.close(id); break;
      case 4: tcp.abort(id); break;
      default: tcp.set_timeout(id, now + uint64_t{in.byte()} * 50'000'000); break;
    }
  }

  // Follows what the stack sent so later segments acknowledge real sequence numbers.
  void observe() {
    for (const Frame& f : dev.sent) {
      nettest::Sent s = nettest::decode(f);  // throws (aborts) if the stack sent a bad frame
      if (!s.is_tcp) continue;
      Peer& p = peers[s.tcp.dst_port];
      p.server_nxt = s.tcp.seq + s.tcp.seq_length();
      if (s.tcp.flags & gnet::kTcpAck) p.seq = s.tcp.ack;
    }
    dev.sent.clear();
  }

  nettest::FakeDevice dev;
  std::unique_ptr<gnet::Stack> stack;
  std::unique_ptr<httpd::HttpServer> server;
  int app_listener = -1;
  uint64_t now = 1'000'000'000;
  std::map<uint16_t, Peer> peers;
  std::vector<gnet::ConnId> conns;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Reader in(data, size);
  Session session;
  session.run(in);
  return 0;
}
