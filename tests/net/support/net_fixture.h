// A stack on a FakeDevice with a test-controlled clock, and a scripted TCP client (Peer)
// that talks to it frame by frame: the building blocks of the host unit tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fake_device.h"
#include "net/stack.h"
#include "packets.h"

namespace nettest {

constexpr gnet::Ipv4Addr kServerIp = gnet::ipv4(198, 18, 0, 2);
constexpr gnet::Ipv4Addr kClientIp = gnet::ipv4(198, 18, 0, 1);
constexpr gnet::MacAddr kServerMac{{0x02, 0, 0, 0, 0, 0x02}};
constexpr gnet::MacAddr kClientMac{{0x02, 0, 0, 0, 0, 0x01}};

// 198.18.0.2/15 via 198.18.0.1, default TCP settings with a fixed key.
gnet::StackConfig test_config();

// test_config() with its TCP settings changed by `edit(gnet::TcpConfig&)`.
template <class Edit>
gnet::StackConfig test_config(Edit edit) {
  gnet::StackConfig c = test_config();
  edit(c.tcp);
  return c;
}

class NetFixture {
 public:
  // With `learn_client`, the client's ARP request is delivered first so replies resolve.
  explicit NetFixture(const gnet::StackConfig& config = test_config(), bool learn_client = true);

  void deliver(const Frame& ethernet_frame);
  void deliver_ip(const Frame& ip_packet);  // from the client, to our MAC
  void deliver_tcp(const TcpFields& fields, const std::string& payload = "");
  // Timers and the output pass at the current time.
  void step();
  void advance(uint64_t ns);
  // Jumps to the next timer deadline (which must exist) and steps.
  void advance_to_deadline();
  // Decodes and clears what the device sent so far.
  std::vector<Sent> take();
  gnet::Tcp& tcp() { return stack->tcp(); }
  const gnet::Stats& stats() const { return stack->stats(); }

  FakeDevice dev{kServerMac};
  std::unique_ptr<gnet::Stack> stack;
  uint64_t now = 1'000'000'000;
};

// A stack listening on port 80 (listener 0, backlog 16).
class Listening : public NetFixture {
 public:
  explicit Listening(const gnet::StackConfig& config = test_config());
};

// A TCP client scripted by the test. Sequence numbers are tracked: send() uses snd_nxt
// and acknowledges rcv_nxt; absorb() accounts for a segment received from the server.
class Peer {
 public:
  explicit Peer(NetFixture& net, uint16_t port = 40000, uint32_t isn = 1000, uint16_t server_port = 80);

  void send(uint8_t flags, const std::string& data = "");
  void send_at(uint32_t seq, uint8_t flags, const std::string& data = "", uint32_t ack = 0);
  // Steps the stack and returns the TCP segments it sent to this peer.
  std::vector<Sent> segments();
  // As segments(), but exactly one is expected.
  Sent expect_one();
  // Advances rcv_nxt past a segment (its data, SYN and FIN).
  void absorb(const Sent& s);
  // SYN, SYN-ACK, ACK (the connection then waits in the listener's accept queue).
  void handshake(uint16_t mss = 1460);
  // handshake() and accept on listener 0: returns the server's id of the connection.
  gnet::ConnId connect(uint16_t mss = 1460);
  // Steps, absorbs every data segment, ACKs once, returns the bytes in order.
  std::string receive_all();

  NetFixture& net;
  uint16_t port;
  uint16_t server_port;
  uint32_t isn;
  uint32_t snd_nxt;
  uint32_t rcv_nxt = 0;
  uint32_t server_isn = 0;
  uint16_t window = 65535;
};

// Listening, with one connection from `peer` established and accepted as `id`.
class Connected : public Listening {
 public:
  struct Options {
    gnet::StackConfig config = test_config();
    uint32_t isn = 1000;      // the peer's initial sequence number
    uint16_t window = 65535;  // the window the peer advertises
  };
  Connected() : Connected(Options{}) {}
  explicit Connected(const Options& options);
  // The bytes the application can read now.
  std::string readable();

  Peer peer;
  gnet::ConnId id;
};

}  // namespace nettest
