// TCP data transfer (RFC 9293 3.8, 3.10.7.4): in-order delivery, out-of-order and
// duplicate segments, both windows, zero-window probing, wraparound, RFC 5961 checks.
#include <catch2/catch.hpp>

#include "net/isn.h"
#include "net_fixture.h"

using namespace nettest;
using gnet::kTcpAck;
using gnet::kTcpPsh;
using gnet::kTcpRst;
using gnet::kTcpSyn;

TEST_CASE("TcpInOrderDataIsDeliveredAndAcknowledgedOncePerPass") {
  Connected c;
  c.peer.send(kTcpAck, "GET ");
  c.peer.send(kTcpAck | kTcpPsh, "/");
  Sent ack = c.peer.expect_one();
  CHECK(ack.tcp.flags == kTcpAck);
  CHECK(ack.tcp.ack == c.peer.snd_nxt);
  CHECK(ack.tcp.window == gnet::kTcpRxBufferBytes - 5);
  CHECK(c.readable() == "GET /");
  uint8_t events = 0;
  CHECK(c.tcp().next_event(&events) == c.id);
  CHECK(events == gnet::kEvReadable);
}

TEST_CASE("TcpOutOfOrderSegmentIsDroppedAndAnsweredWithADuplicateAck") {
  Connected c;
  c.peer.send_at(c.peer.snd_nxt + 5, kTcpAck, "world");
  Sent dup = c.peer.expect_one();
  CHECK(dup.tcp.ack == c.peer.snd_nxt);
  CHECK(c.readable().empty());
  CHECK(c.stats().tcp_out_of_order == 1);
  c.peer.send(kTcpAck, "hello");
  c.peer.expect_one();
  CHECK(c.readable() == "hello");  // "world" must be sent again
}

TEST_CASE("TcpOverlappingRetransmissionIsTrimmedToNewData") {
  Connected c;
  uint32_t start = c.peer.snd_nxt;
  c.peer.send(kTcpAck, "hello");
  c.peer.send_at(start + 3, kTcpAck, "loworld");
  c.peer.snd_nxt = start + 10;
  CHECK(c.peer.expect_one().tcp.ack == start + 10);
  CHECK(c.readable() == "helloworld");
}

TEST_CASE("TcpFullyDuplicateSegmentIsReAcknowledged") {
  Connected c;
  uint32_t start = c.peer.snd_nxt;
  c.peer.send(kTcpAck, "hello");
  c.peer.expect_one();
  c.peer.send_at(start, kTcpAck, "hello");
  CHECK(c.peer.expect_one().tcp.ack == start + 5);
  CHECK(c.readable() == "hello");
  CHECK(c.stats().tcp_unacceptable == 1);
}

TEST_CASE("TcpSegmentBeyondTheReceiveWindowIsNotAccepted") {
  Connected c;
  c.peer.send_at(c.peer.snd_nxt + gnet::kTcpRxBufferBytes + 10, kTcpAck, "far");
  CHECK(c.peer.expect_one().tcp.ack == c.peer.snd_nxt);
  CHECK(c.readable().empty());
  CHECK(c.stats().tcp_unacceptable == 1);
}

TEST_CASE("TcpReceiveWindowShrinksAsTheBufferFillsAndReopensWithAnUpdate") {
  Connected c;
  c.peer.send(kTcpAck, std::string(1460, 'a'));
  c.peer.send(kTcpAck, std::string(1460, 'b'));
  c.peer.send(kTcpAck, std::string(1080, 'c'));
  CHECK(c.peer.expect_one().tcp.window == 96);
  c.tcp().consume(c.id, 4000);
  Sent update = c.peer.expect_one();
  CHECK(update.tcp.window == gnet::kTcpRxBufferBytes);
  CHECK(update.tcp.ack == c.peer.snd_nxt);
}

TEST_CASE("TcpDataIntoAZeroWindowIsRefused") {
  Connected c;
  c.peer.send(kTcpAck, std::string(gnet::kTcpRxBufferBytes, 'x'));
  CHECK(c.peer.expect_one().tcp.window == 0);
  c.peer.send_at(c.peer.snd_nxt, kTcpAck, "y");
  Sent ack = c.peer.expect_one();
  CHECK(ack.tcp.window == 0);
  CHECK(ack.tcp.ack == c.peer.snd_nxt);
  CHECK(c.readable().size() == gnet::kTcpRxBufferBytes);
}

TEST_CASE("TcpPeerWindowIsHonoured") {
  Connected c({.window = 1000});
  static const std::string body(3000, 'w');
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  auto first = c.peer.segments();
  REQUIRE(first.size() == 1);
  CHECK(first[0].payload.size() == 1000);
  c.peer.absorb(first[0]);
  c.peer.send(kTcpAck);
  auto second = c.peer.segments();
  REQUIRE(second.size() == 1);
  CHECK(second[0].tcp.seq == first[0].tcp.seq + 1000);
  CHECK(second[0].payload.size() == 1000);
}

TEST_CASE("TcpZeroWindowIsProbedByThePersistTimerWithBackoff") {
  Connected c({.window = 0});
  static const std::string body(100, 'p');
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  CHECK(c.peer.segments().empty());
  uint64_t t0 = c.now;
  c.advance_to_deadline();
  CHECK(c.now - t0 == 1'000'000'000);
  auto probe = c.peer.segments();
  REQUIRE(probe.size() == 1);
  CHECK(probe[0].payload == "p");
  c.peer.send(kTcpAck);  // window still zero, probe byte not taken
  CHECK(c.peer.segments().empty());
  uint64_t t1 = c.now;
  c.advance_to_deadline();
  CHECK(c.now - t1 == 2'000'000'000);
  REQUIRE(c.peer.segments().size() == 1);
  CHECK(c.tcp().state(c.id) == gnet::TcpState::kEstablished);  // probes never give up
  c.peer.window = 65535;
  c.peer.rcv_nxt = probe[0].tcp.seq + 1;  // the peer takes the byte and opens the window
  c.peer.send(kTcpAck);
  std::string rest;
  for (const Sent& s : c.peer.segments()) rest += s.payload;
  CHECK(rest == std::string(99, 'p'));
}

TEST_CASE("TcpReceiveSequenceNumbersWrapAround") {
  Connected c({.isn = 0xfffffff0u});
  c.peer.send(kTcpAck, std::string(20, 'a'));  // crosses 2^32
  c.peer.send(kTcpAck, std::string(20, 'b'));
  CHECK(c.peer.expect_one().tcp.ack == 0xfffffff1u + 40);
  CHECK(c.readable() == std::string(20, 'a') + std::string(20, 'b'));
}

TEST_CASE("TcpSendSequenceNumbersWrapAround") {
  Listening net;
  // Pick the clock so that the RFC 6528 ISN lands just below 2^32.
  gnet::StackConfig config = test_config();
  uint32_t hash = gnet::tcp_isn(config.tcp.isn_key, kServerIp, 80, kClientIp, 40000, 0);
  net.now = uint64_t{0xffffff00u - hash} * 4000;
  Peer peer(net);
  gnet::ConnId id = peer.connect();
  REQUIRE(peer.server_isn == 0xffffff00u);
  static const std::string body(3000, 'z');
  REQUIRE(net.tcp().send_ref(id, body.data(), body.size()));
  std::string got = peer.receive_all();
  CHECK(got == body);
  CHECK(peer.rcv_nxt == 0xffffff01u + 3000);  // wrapped
  peer.segments();
  CHECK(net.tcp().send_queued(id) == 0);
  CHECK(net.tcp().check_invariants());
}

TEST_CASE("TcpRstAtTheExactSequenceResetsTheConnection") {
  Connected c;
  c.peer.send(kTcpRst);
  CHECK(c.peer.segments().empty());
  uint8_t events = 0;
  REQUIRE(c.tcp().next_event(&events) == c.id);
  CHECK(events == gnet::kEvClosed);
  CHECK(c.tcp().state(c.id) == gnet::TcpState::kClosed);
  c.tcp().close(c.id);
  CHECK(c.tcp().connection_count() == 0);
}

TEST_CASE("TcpRstInsideTheWindowButNotExactGetsAChallengeAck") {
  Connected c;
  c.peer.send_at(c.peer.snd_nxt + 100, kTcpRst);
  Sent challenge = c.peer.expect_one();
  CHECK(challenge.tcp.flags == kTcpAck);
  CHECK(challenge.tcp.ack == c.peer.snd_nxt);
  CHECK(c.tcp().state(c.id) == gnet::TcpState::kEstablished);
  CHECK(c.stats().tcp_challenge_acks == 1);
}

TEST_CASE("TcpRstOutsideTheWindowIsIgnored") {
  Connected c;
  c.peer.send_at(c.peer.snd_nxt + 100000, kTcpRst);
  CHECK(c.peer.segments().empty());
  CHECK(c.tcp().state(c.id) == gnet::TcpState::kEstablished);
}

TEST_CASE("TcpSynOnAnEstablishedConnectionGetsAChallengeAck") {
  Connected c;
  c.peer.send_at(c.peer.snd_nxt + 10, kTcpSyn);
  Sent challenge = c.peer.expect_one();
  CHECK(challenge.tcp.flags == kTcpAck);
  CHECK(c.tcp().state(c.id) == gnet::TcpState::kEstablished);
}

TEST_CASE("TcpAckForDataNeverSentIsAnsweredAndTheSegmentDropped") {
  Connected c;
  c.peer.send_at(c.peer.snd_nxt, kTcpAck, "data", c.peer.server_isn + 5000);
  Sent ack = c.peer.expect_one();
  CHECK(ack.tcp.ack == c.peer.snd_nxt);
  CHECK(c.readable().empty());
}

TEST_CASE("TcpAckOlderThanTheLargestWindowIsDropped") {
  Connected c;
  c.peer.send_at(c.peer.snd_nxt, kTcpAck, "data", c.peer.server_isn + 1 - 70000);
  CHECK(c.peer.expect_one().tcp.ack == c.peer.snd_nxt);
  CHECK(c.readable().empty());
}

TEST_CASE("TcpDataArrivingBeforeAcceptIsKeptAndReported") {
  Listening net;
  Peer peer(net);
  peer.send(kTcpSyn);
  Sent synack = peer.expect_one();
  peer.rcv_nxt = synack.tcp.seq + 1;
  peer.send(kTcpAck);
  peer.send(kTcpAck, "early");
  gnet::ConnId id = net.tcp().accept(0);
  REQUIRE(id.valid());
  uint8_t events = 0;
  CHECK(net.tcp().next_event(&events) == id);
  CHECK(events == gnet::kEvReadable);
  const uint8_t* data;
  CHECK(net.tcp().readable(id, &data) == 5);
}

TEST_CASE("TcpAcknowledgedDataRaisesWritable") {
  Connected c;
  static const std::string body = "response";
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  Sent s = c.peer.expect_one();
  c.peer.absorb(s);
  c.peer.send(kTcpAck);
  uint8_t events = 0;
  CHECK(c.tcp().next_event(&events) == c.id);
  CHECK(events == gnet::kEvWritable);
  CHECK(c.tcp().send_queued(c.id) == 0);
}

TEST_CASE("TcpStaleConnectionIdIsRejected") {
  Connected c;
  gnet::ConnId stale = c.id;
  c.tcp().abort(c.id);
  CHECK(c.peer.expect_one().tcp.flags == (kTcpRst | kTcpAck));
  const uint8_t* data;
  CHECK(c.tcp().readable(stale, &data) == 0);
  CHECK(c.tcp().send_copy(stale, "x", 1) == 0);
  CHECK(c.tcp().state(stale) == gnet::TcpState::kClosed);
  Peer again(c, 40001, 5);
  gnet::ConnId fresh = again.connect();
  CHECK_FALSE(fresh == stale);  // same slot, new generation
}
