// Loss recovery: RTO with exponential backoff (RFC 6298), RTT estimation, giving up,
// fast retransmit (RFC 5681 / 6582), retransmission of referenced content.
#include <catch2/catch.hpp>

#include "net_fixture.h"

using namespace nettest;
using gnet::kTcpAck;
using gnet::kTcpRst;

TEST_CASE("TcpDataIsRetransmittedWithExponentialBackoff") {
  Connected c;
  static const std::string body = "lost response";
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  Sent first = c.peer.expect_one();
  uint64_t sent_at = c.now;
  uint64_t interval = 1'000'000'000;  // no RTT sample yet: the initial RTO
  for (int i = 0; i < 4; ++i) {
    c.advance_to_deadline();
    CHECK(c.now - sent_at == interval);
    Sent again = c.peer.expect_one();
    CHECK(again.tcp.seq == first.tcp.seq);
    CHECK(again.payload == body);  // read again from the referenced memory
    sent_at = c.now;
    interval *= 2;
  }
  CHECK(c.stats().tcp_retransmits == 4);
}

TEST_CASE("TcpRtoFollowsTheMeasuredRoundTrip") {
  Connected c;
  static const std::string a = "first", b = "second";
  REQUIRE(c.tcp().send_ref(c.id, a.data(), a.size()));
  c.peer.absorb(c.peer.expect_one());
  c.now += 30'000'000;  // 30 ms round trip
  c.peer.send(kTcpAck);
  REQUIRE(c.tcp().send_ref(c.id, b.data(), b.size()));
  c.peer.expect_one();
  uint64_t sent_at = c.now;
  c.advance_to_deadline();
  // SRTT 30 ms, RTTVAR 15 ms: RTO = 30 + 4 * 15 = 90 ms, raised to the 200 ms floor.
  CHECK(c.now - sent_at == 200'000'000);
}

TEST_CASE("TcpConnectionIsAbortedAfterTooManyRetransmissions") {
  Connected c;
  static const std::string body = "nobody listens";
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  c.peer.expect_one();
  for (int i = 0; i < test_config().tcp.data_retries; ++i) {
    c.advance_to_deadline();
    REQUIRE(c.peer.segments().size() == 1);
  }
  c.advance_to_deadline();
  Sent rst = c.peer.expect_one();
  CHECK((rst.tcp.flags & kTcpRst) != 0);
  uint8_t events = 0;
  REQUIRE(c.tcp().next_event(&events) == c.id);
  CHECK(events == gnet::kEvClosed);
  CHECK(c.stats().tcp_timeouts == 1);
  c.tcp().close(c.id);
  CHECK(c.stack->next_deadline() == UINT64_MAX);
}

TEST_CASE("TcpThreeDuplicateAcksTriggerFastRetransmit") {
  Connected c;
  static const std::string body(10 * 1460, 'f');
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  auto flight = c.peer.segments();
  REQUIRE(flight.size() == 10);
  // The first segment is lost: the peer acknowledges nothing new, three times.
  for (int i = 0; i < 3; ++i) c.peer.send(kTcpAck);
  auto resent = c.peer.segments();
  REQUIRE(resent.size() >= 1);
  CHECK(resent[0].tcp.seq == flight[0].tcp.seq);
  CHECK(resent[0].payload.size() == 1460);
  CHECK(c.stats().tcp_fast_retransmits == 1);
  // A partial ACK (first two segments) makes the next hole go out at once (NewReno).
  c.peer.rcv_nxt = flight[2].tcp.seq;
  c.peer.send(kTcpAck);
  auto partial = c.peer.segments();
  REQUIRE(!partial.empty());
  CHECK(partial[0].tcp.seq == flight[2].tcp.seq);
}

TEST_CASE("TcpRetransmissionAfterRtoGoesBackToTheFirstUnacknowledgedByte") {
  Connected c;
  static const std::string body(3 * 1460, 'r');
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  auto flight = c.peer.segments();
  REQUIRE(flight.size() == 3);
  c.peer.rcv_nxt = flight[1].tcp.seq;  // only the first arrived
  c.peer.send(kTcpAck);
  c.peer.segments();
  c.advance_to_deadline();
  auto again = c.peer.segments();
  REQUIRE(again.size() == 1);  // cwnd is one segment after a timeout
  CHECK(again[0].tcp.seq == flight[1].tcp.seq);
}

TEST_CASE("TcpIdleStackHasNoTimerDeadline") {
  Connected c;
  CHECK(c.stack->next_deadline() == UINT64_MAX);
  static const std::string body = "x";
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  c.peer.absorb(c.peer.expect_one());
  c.peer.send(kTcpAck);
  c.step();
  CHECK(c.stack->next_deadline() == UINT64_MAX);
}

TEST_CASE("TcpFullDeviceKeepsOutputPendingUntilThereIsRoom") {
  Connected c;
  static const std::string body = "later";
  REQUIRE(c.tcp().send_ref(c.id, body.data(), body.size()));
  c.dev.refuse_sends = true;
  c.step();
  CHECK(c.stack->has_pending_output());
  CHECK(c.dev.sent.empty());
  c.dev.refuse_sends = false;
  Sent s = c.peer.expect_one();
  CHECK(s.payload == "later");
  CHECK_FALSE(c.stack->has_pending_output());
}
