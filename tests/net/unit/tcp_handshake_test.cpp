// TCP passive open (RFC 9293 3.5, 3.10.7.1-3.10.7.2), malformed segments, table limits.
#include <catch2/catch.hpp>

#include "net/wire.h"
#include "net_fixture.h"

using namespace nettest;
using gnet::kTcpAck;
using gnet::kTcpFin;
using gnet::kTcpRst;
using gnet::kTcpSyn;

namespace {

// Payload sizes of the segments carrying a `body`-byte response to a peer that announced
// MSS `mss` (0: no option).
std::vector<size_t> payload_sizes(uint16_t mss, size_t body) {
  Listening net;
  Peer peer(net);
  gnet::ConnId id = peer.connect(mss);
  static const std::string data(4000, 'm');
  REQUIRE(net.tcp().send_ref(id, data.data(), body));
  std::vector<size_t> sizes;
  for (const Sent& s : peer.segments()) sizes.push_back(s.payload.size());
  return sizes;
}

}  // namespace

TEST_CASE("TcpSynToListenerGetsSynAckWithOurMss") {
  Listening net;
  Peer peer(net);
  peer.send(kTcpSyn);
  Sent s = peer.expect_one();
  CHECK(s.tcp.flags == (kTcpSyn | kTcpAck));
  CHECK(s.tcp.ack == 1001);
  CHECK(s.tcp.mss == 1460);
  CHECK(s.tcp.window == gnet::kTcpRxBufferBytes);
  CHECK(s.ip.src == kServerIp);
  CHECK(s.eth.dst == kClientMac);
}

TEST_CASE("TcpHandshakeEstablishesAndAcceptReturnsTheConnection") {
  Listening net;
  Peer peer(net);
  gnet::ConnId id = peer.connect();
  REQUIRE(id.valid());
  CHECK(net.tcp().state(id) == gnet::TcpState::kEstablished);
  CHECK_FALSE(net.tcp().accept(0).valid());
  CHECK(peer.segments().empty());  // nothing to say after the handshake
}

TEST_CASE("TcpSynToClosedPortGetsRstAckAcknowledgingTheSyn") {
  Listening net;
  Peer peer(net, 40000, 5000, 81);
  peer.send(kTcpSyn, "data");
  Sent s = peer.expect_one();
  CHECK(s.tcp.flags == (kTcpRst | kTcpAck));
  CHECK(s.tcp.seq == 0);
  CHECK(s.tcp.ack == 5000 + 1 + 4);  // SEG.SEQ + SEG.LEN
  CHECK(net.stats().tcp_resets_sent == 1);
}

TEST_CASE("TcpAckToClosedPortGetsRstWithSeqFromTheAck") {
  Listening net;
  Peer peer(net, 40000, 5000, 81);
  peer.send_at(5000, kTcpAck, "", 777);
  Sent s = peer.expect_one();
  CHECK(s.tcp.flags == kTcpRst);
  CHECK(s.tcp.seq == 777);
}

TEST_CASE("TcpRstToClosedPortIsNotAnswered") {
  Listening net;
  Peer peer(net, 40000, 5000, 81);
  peer.send(kTcpRst);
  CHECK(peer.segments().empty());
}

TEST_CASE("TcpAckToListenerWithoutConnectionGetsRst") {
  Listening net;
  Peer peer(net);
  peer.send_at(1000, kTcpAck, "", 4242);
  Sent s = peer.expect_one();
  CHECK(s.tcp.flags == kTcpRst);
  CHECK(s.tcp.seq == 4242);
}

TEST_CASE("TcpSynAckIsRetransmittedWithExponentialBackoffThenGivenUp") {
  Listening net;
  Peer peer(net);
  peer.send(kTcpSyn);
  Sent first = peer.expect_one();
  uint64_t start = net.now;
  uint64_t expected = 1'000'000'000;  // RFC 6298 initial RTO
  uint64_t elapsed = 0;
  for (int i = 0; i < 5; ++i) {
    elapsed += expected;
    net.advance_to_deadline();
    CHECK(net.now - start == elapsed);
    auto again = peer.segments();
    REQUIRE(again.size() == 1);
    CHECK(again[0].tcp.flags == (kTcpSyn | kTcpAck));
    CHECK(again[0].tcp.seq == first.tcp.seq);
    expected *= 2;
  }
  net.advance_to_deadline();  // the sixth timeout gives up
  CHECK(peer.segments().empty());
  CHECK(net.tcp().connection_count() == 0);
  CHECK(net.stack->next_deadline() == UINT64_MAX);
}

TEST_CASE("TcpRepeatedSynInSynReceivedResendsTheSynAck") {
  Listening net;
  Peer peer(net);
  peer.send(kTcpSyn);
  Sent a = peer.expect_one();
  peer.send_at(1000, kTcpSyn);
  Sent b = peer.expect_one();
  CHECK(b.tcp.flags == (kTcpSyn | kTcpAck));
  CHECK(b.tcp.seq == a.tcp.seq);
  CHECK(net.tcp().connection_count() == 1);
}

TEST_CASE("TcpUnacceptableAckInSynReceivedGetsRst") {
  Listening net;
  Peer peer(net);
  peer.send(kTcpSyn);
  Sent synack = peer.expect_one();
  peer.send_at(1001, kTcpAck, "", synack.tcp.seq + 5);
  Sent rst = peer.expect_one();
  CHECK(rst.tcp.flags == kTcpRst);
  CHECK(rst.tcp.seq == synack.tcp.seq + 5);
}

TEST_CASE("TcpRstInSynReceivedFreesTheConnection") {
  Listening net;
  Peer peer(net);
  peer.send(kTcpSyn);
  peer.expect_one();
  peer.send(kTcpRst);
  CHECK(peer.segments().empty());
  CHECK(net.tcp().connection_count() == 0);
}

TEST_CASE("TcpSegmentWithDataOffsetPastEndIsDropped") {
  Listening net;
  Frame seg = tcp(kClientIp, kServerIp, TcpFields{40000, 80, 1, 0, kTcpSyn, 1000, 0, {}});
  seg[12] = 0xf0;  // 60-byte header in a 20-byte segment
  net.deliver_ip(ipv4(kClientIp, kServerIp, gnet::kIpProtoTcp, seg));
  CHECK(net.take().empty());
  CHECK(net.stats().tcp_malformed == 1);
  CHECK(net.tcp().connection_count() == 0);
}

TEST_CASE("TcpSegmentWithDataOffsetBelowFiveWordsIsDropped") {
  Listening net;
  Frame seg = tcp(kClientIp, kServerIp, TcpFields{40000, 80, 1, 0, kTcpSyn, 1000, 0, {}});
  seg[12] = 0x40;
  net.deliver_ip(ipv4(kClientIp, kServerIp, gnet::kIpProtoTcp, seg));
  CHECK(net.stats().tcp_malformed == 1);
}

TEST_CASE("TcpTruncatedHeaderIsDropped") {
  Listening net;
  Frame seg = tcp(kClientIp, kServerIp, TcpFields{40000, 80, 1, 0, kTcpSyn, 1000, 0, {}});
  seg.resize(19);
  net.deliver_ip(ipv4(kClientIp, kServerIp, gnet::kIpProtoTcp, seg));
  CHECK(net.stats().tcp_malformed == 1);
}

TEST_CASE("TcpBadChecksumIsDropped") {
  Listening net;
  Frame seg = tcp(kClientIp, kServerIp, TcpFields{40000, 80, 1, 0, kTcpSyn, 1000, 0, {}});
  seg[4] ^= 1;
  net.deliver_ip(ipv4(kClientIp, kServerIp, gnet::kIpProtoTcp, seg));
  CHECK(net.take().empty());
  CHECK(net.stats().tcp_bad_checksum == 1);
}

TEST_CASE("TcpZeroPortIsDropped") {
  Listening net;
  net.deliver_tcp(TcpFields{0, 80, 1, 0, kTcpSyn, 1000, 0, {}});
  CHECK(net.take().empty());
  CHECK(net.stats().tcp_malformed == 1);
}

TEST_CASE("TcpOptionWithZeroLengthEndsOptionParsing") {
  Listening net;
  TcpFields f{40000, 80, 1, 0, kTcpSyn, 1000, 0, {1, 5, 0, 0, 2, 4, 0x01, 0x00}};  // kind 5, length 0
  net.deliver_tcp(f);
  Peer peer(net);
  Sent s = peer.expect_one();
  CHECK(s.tcp.flags == (kTcpSyn | kTcpAck));  // no crash, no loop: the MSS after it is not seen
}

TEST_CASE("TcpOptionLengthPastTheHeaderIsIgnored") {
  Listening net;
  TcpFields f{40000, 80, 1, 0, kTcpSyn, 1000, 0, {2, 40, 0x01, 0x00}};
  net.deliver_tcp(f);
  Peer peer(net);
  CHECK(peer.expect_one().tcp.flags == (kTcpSyn | kTcpAck));
}

TEST_CASE("TcpPeerMssLimitsOurSegments") {
  CHECK(payload_sizes(600, 2000) == std::vector<size_t>{600, 600, 600, 200});
}

TEST_CASE("TcpWithoutMssOptionUsesTheDefault536") {
  CHECK(payload_sizes(0, 1000) == std::vector<size_t>{536, 464});
}

TEST_CASE("TcpTinyPeerMssIsRaisedToTheFloor") {
  CHECK(payload_sizes(1, 100) == std::vector<size_t>{88, 12});
}

TEST_CASE("TcpFullTableRefusesNewConnectionsWithRstAndKeepsOldOnes") {
  Listening net(test_config([](gnet::TcpConfig& t) { t.max_connections = 4; }));
  std::vector<std::unique_ptr<Peer>> peers;
  std::vector<gnet::ConnId> ids;
  for (uint16_t i = 0; i < 4; ++i) {
    peers.push_back(std::make_unique<Peer>(net, static_cast<uint16_t>(41000 + i), 100000u * (i + 1)));
    ids.push_back(peers.back()->connect());
    REQUIRE(ids.back().valid());
  }
  Peer extra(net, 42000, 7);
  extra.send(kTcpSyn);
  Sent refused = extra.expect_one();
  CHECK(refused.tcp.flags == (kTcpRst | kTcpAck));
  CHECK(net.stats().tcp_refused_table_full == 1);
  for (size_t i = 0; i < 4; ++i) {
    peers[i]->send(kTcpAck | gnet::kTcpPsh, "hello");
    const uint8_t* data;
    REQUIRE(net.tcp().readable(ids[i], &data) == 5);
    CHECK(net.tcp().state(ids[i]) == gnet::TcpState::kEstablished);
  }
  CHECK(net.tcp().check_invariants());
}

TEST_CASE("TcpFullTableRecyclesATimeWaitConnection") {
  Listening net(test_config([](gnet::TcpConfig& t) { t.max_connections = 1; }));
  Peer first(net, 41000, 100);
  gnet::ConnId id = first.connect();
  net.tcp().close(id);  // active close: FIN-WAIT-1
  first.absorb(first.expect_one());
  first.send(kTcpAck | kTcpFin);  // acks our FIN and closes: TIME-WAIT
  first.expect_one();
  REQUIRE(net.tcp().connection_count() == 1);
  Peer second(net, 41001, 200);
  CHECK(second.connect().valid());
  CHECK(net.stats().tcp_time_wait_recycled == 1);
}

TEST_CASE("TcpFullBacklogDropsTheSynSilently") {
  NetFixture net;
  REQUIRE(net.tcp().listen(80, 1) == 0);
  Peer a(net, 41000, 100);
  a.send(kTcpSyn);
  a.absorb(a.expect_one());
  Peer b(net, 41001, 200);
  b.send(kTcpSyn);
  CHECK(b.segments().empty());
  CHECK(net.stats().tcp_backlog_drops == 1);
  a.send(kTcpAck);
  REQUIRE(net.tcp().accept(0).valid());  // accepting frees the backlog slot
  b.send_at(200, kTcpSyn);
  CHECK(b.segments().size() == 1);
}

TEST_CASE("TcpListenRejectsADuplicatePortAndPortZero") {
  NetFixture net;
  CHECK(net.tcp().listen(80, 4) == 0);
  CHECK(net.tcp().listen(80, 4) == -1);
  CHECK(net.tcp().listen(0, 4) == -1);
  CHECK(net.tcp().listen(8080, 4) == 1);
}
