#include "net_fixture.h"

#include <stdexcept>

namespace nettest {

gnet::StackConfig test_config() {
  gnet::StackConfig c;
  c.ip = gnet::Ipv4Config{kServerIp, 15, kClientIp};
  for (int i = 0; i < 16; ++i) c.tcp.isn_key[i] = static_cast<uint8_t>(i * 7 + 1);
  return c;
}

NetFixture::NetFixture(const gnet::StackConfig& config, bool learn_client)
    : stack(std::make_unique<gnet::Stack>(dev, config)) {
  stack->set_now(now);
  if (learn_client) {
    deliver(ethernet(gnet::MacAddr::broadcast(), kClientMac, gnet::kEtherTypeArp,
                     arp(1, kClientMac, kClientIp, gnet::MacAddr{}, config.ip.address)));
    dev.sent.clear();
  }
}

void NetFixture::deliver(const Frame& frame) {
  stack->set_now(now);
  stack->on_frame(frame.data(), frame.size());
}

void NetFixture::deliver_ip(const Frame& packet) {
  deliver(ethernet(kServerMac, kClientMac, gnet::kEtherTypeIpv4, packet));
}

void NetFixture::deliver_tcp(const TcpFields& fields, const std::string& payload) {
  deliver_ip(ipv4(kClientIp, kServerIp, gnet::kIpProtoTcp, nettest::tcp(kClientIp, kServerIp, fields, payload)));
}

void NetFixture::step() {
  stack->set_now(now);
  stack->run_timers();
  stack->transmit();
}

void NetFixture::advance(uint64_t ns) {
  now += ns;
  step();
}

void NetFixture::advance_to_deadline() {
  uint64_t d = stack->next_deadline();
  if (d == UINT64_MAX) throw std::runtime_error("no timer is running");
  if (d > now) now = d;
  step();
}

std::vector<Sent> NetFixture::take() {
  std::vector<Sent> out;
  for (const Frame& f : dev.sent) out.push_back(decode(f));
  dev.sent.clear();
  return out;
}

Listening::Listening(const gnet::StackConfig& config) : NetFixture(config) {
  if (tcp().listen(80, 16) != 0) throw std::runtime_error("cannot listen on port 80");
}

Connected::Connected(const Options& options) : Listening(options.config), peer(*this, 40000, options.isn) {
  peer.window = options.window;
  id = peer.connect();
  if (!id.valid()) throw std::runtime_error("handshake failed");
}

std::string Connected::readable() {
  const uint8_t* data = nullptr;
  size_t n = tcp().readable(id, &data);
  return std::string(reinterpret_cast<const char*>(data), n);
}

Peer::Peer(NetFixture& n, uint16_t p, uint32_t i, uint16_t sp)
    : net(n), port(p), server_port(sp), isn(i), snd_nxt(i) {}

void Peer::send_at(uint32_t seq, uint8_t flags, const std::string& data, uint32_t ack) {
  TcpFields f;
  f.src_port = port;
  f.dst_port = server_port;
  f.seq = seq;
  f.ack = (flags & gnet::kTcpAck) ? (ack ? ack : rcv_nxt) : 0;
  f.flags = flags;
  f.window = window;
  net.deliver_tcp(f, data);
}

void Peer::send(uint8_t flags, const std::string& data) {
  send_at(snd_nxt, flags, data);
  snd_nxt += static_cast<uint32_t>(data.size()) + ((flags & gnet::kTcpSyn) ? 1 : 0) + ((flags & gnet::kTcpFin) ? 1 : 0);
}

std::vector<Sent> Peer::segments() {
  net.step();
  std::vector<Sent> out;
  for (Sent& s : net.take()) {
    if (s.is_tcp && s.tcp.dst_port == port) out.push_back(std::move(s));
  }
  return out;
}

Sent Peer::expect_one() {
  std::vector<Sent> all = segments();
  if (all.size() != 1) throw std::runtime_error("expected one segment, got " + std::to_string(all.size()));
  return all[0];
}

void Peer::absorb(const Sent& s) {
  uint32_t end = s.tcp.seq + s.tcp.seq_length();
  if (gnet::seq_gt(end, rcv_nxt)) rcv_nxt = end;
}

gnet::ConnId Peer::connect(uint16_t mss) {
  handshake(mss);
  return net.tcp().accept(0);
}

void Peer::handshake(uint16_t mss) {
  TcpFields f;
  f.src_port = port;
  f.dst_port = server_port;
  f.seq = snd_nxt;
  f.flags = gnet::kTcpSyn;
  f.window = window;
  f.mss = mss;
  net.deliver_tcp(f);
  snd_nxt += 1;
  Sent synack = expect_one();
  if (synack.tcp.flags != (gnet::kTcpSyn | gnet::kTcpAck)) throw std::runtime_error("no SYN-ACK");
  server_isn = synack.tcp.seq;
  rcv_nxt = server_isn + 1;
  send(gnet::kTcpAck);
}

std::string Peer::receive_all() {
  std::string data;
  for (const Sent& s : segments()) {
    if (s.tcp.seq == rcv_nxt || gnet::seq_gt(s.tcp.seq + s.tcp.seq_length(), rcv_nxt)) {
      uint32_t skip = gnet::seq_lt(s.tcp.seq, rcv_nxt) ? rcv_nxt - s.tcp.seq : 0;
      if (skip < s.payload.size()) data += s.payload.substr(skip);
      absorb(s);
    }
  }
  send(gnet::kTcpAck);
  return data;
}

}  // namespace nettest
