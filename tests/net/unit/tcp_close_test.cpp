// Connection termination (RFC 9293 3.6): both close orders, simultaneous close,
// TIME-WAIT and FIN-WAIT-2 timers, lingering after the application closed.
#include <catch2/catch.hpp>

#include "net_fixture.h"

using namespace nettest;
using gnet::kTcpAck;
using gnet::kTcpFin;
using gnet::kTcpRst;
using gnet::TcpState;

TEST_CASE("TcpPassiveCloseGoesThroughCloseWaitAndLastAck") {
  Connected c;
  c.peer.send(kTcpAck | kTcpFin);
  Sent ack = c.peer.expect_one();
  CHECK(ack.tcp.ack == c.peer.snd_nxt);  // the FIN is acknowledged
  CHECK(c.tcp().state(c.id) == TcpState::kCloseWait);
  CHECK(c.tcp().peer_closed(c.id));
  static const std::string bye = "bye";
  REQUIRE(c.tcp().send_ref(c.id, bye.data(), bye.size()));
  c.tcp().close(c.id);
  Sent fin = c.peer.expect_one();
  CHECK(fin.tcp.flags == (kTcpAck | kTcpFin | gnet::kTcpPsh));
  CHECK(fin.payload == "bye");
  CHECK(c.tcp().connection_count() == 1);  // LAST-ACK
  c.peer.absorb(fin);
  c.peer.send(kTcpAck);
  CHECK(c.peer.segments().empty());
  CHECK(c.tcp().connection_count() == 0);
  CHECK(c.stack->next_deadline() == UINT64_MAX);
}

TEST_CASE("TcpActiveCloseGoesThroughFinWaitAndTimeWait") {
  Connected c({.config = test_config([](gnet::TcpConfig& t) { t.time_wait_ns = 500'000'000; })});
  c.tcp().close(c.id);
  Sent fin = c.peer.expect_one();
  CHECK(fin.tcp.flags == (kTcpAck | kTcpFin));
  c.peer.absorb(fin);
  c.peer.send(kTcpAck);  // FIN-WAIT-2
  CHECK(c.peer.segments().empty());
  c.peer.send(kTcpAck | kTcpFin);
  Sent last = c.peer.expect_one();
  CHECK(last.tcp.flags == kTcpAck);
  CHECK(last.tcp.ack == c.peer.snd_nxt);
  CHECK(c.tcp().connection_count() == 1);  // TIME-WAIT
  uint64_t entered = c.now;
  c.advance_to_deadline();
  CHECK(c.now - entered == 500'000'000);
  CHECK(c.tcp().connection_count() == 0);
}

TEST_CASE("TcpTimeWaitAcknowledgesARetransmittedFin") {
  Connected c;
  c.tcp().close(c.id);
  c.peer.absorb(c.peer.expect_one());
  c.peer.send(kTcpAck | kTcpFin);
  c.peer.expect_one();
  c.peer.send_at(c.peer.snd_nxt - 1, kTcpAck | kTcpFin);  // our ACK was lost
  Sent again = c.peer.expect_one();
  CHECK(again.tcp.ack == c.peer.snd_nxt);
  CHECK(c.tcp().connection_count() == 1);
}

TEST_CASE("TcpSimultaneousCloseGoesThroughClosing") {
  Connected c;
  c.tcp().close(c.id);
  Sent fin = c.peer.expect_one();  // FIN-WAIT-1
  // The peer's FIN crosses ours: it does not acknowledge our FIN yet.
  c.peer.send(kTcpAck | kTcpFin);
  Sent ack = c.peer.expect_one();  // CLOSING
  CHECK(ack.tcp.ack == c.peer.snd_nxt);
  c.peer.absorb(fin);
  c.peer.send(kTcpAck);  // acknowledges our FIN: TIME-WAIT
  CHECK(c.tcp().connection_count() == 1);
  c.advance_to_deadline();
  CHECK(c.tcp().connection_count() == 0);
}

TEST_CASE("TcpFinWait2EndsAfterItsTimeout") {
  Connected c;
  c.tcp().close(c.id);
  c.peer.absorb(c.peer.expect_one());
  c.peer.send(kTcpAck);
  uint64_t start = c.now;
  c.advance_to_deadline();
  CHECK(c.now - start == test_config().tcp.fin_wait2_timeout_ns);
  CHECK(c.tcp().connection_count() == 0);
}

TEST_CASE("TcpDataAfterTheApplicationClosedIsAcknowledgedAndDiscarded") {
  Connected c;
  c.peer.send(kTcpAck, "unread");
  c.peer.expect_one();
  c.tcp().close(c.id);
  Sent fin = c.peer.expect_one();
  CHECK(fin.tcp.window == gnet::kTcpRxBufferBytes);  // unread data dropped, window open
  c.peer.absorb(fin);
  c.peer.send(kTcpAck, std::string(3000, 'g'));
  Sent ack = c.peer.expect_one();
  CHECK(ack.tcp.ack == c.peer.snd_nxt);
  CHECK(ack.tcp.window == gnet::kTcpRxBufferBytes);
}

TEST_CASE("TcpFinIsRetransmittedUntilAcknowledged") {
  Connected c;
  c.tcp().close(c.id);
  Sent fin = c.peer.expect_one();
  c.advance_to_deadline();
  auto again = c.peer.segments();
  REQUIRE(again.size() == 1);
  CHECK(again[0].tcp.flags == (kTcpAck | kTcpFin));
  CHECK(again[0].tcp.seq == fin.tcp.seq);
}

TEST_CASE("TcpCloseAfterResetReleasesTheSlot") {
  Connected c;
  c.peer.send(kTcpRst);
  uint8_t events;
  REQUIRE(c.tcp().next_event(&events) == c.id);
  CHECK(c.tcp().connection_count() == 1);  // held for the application
  c.tcp().close(c.id);
  CHECK(c.tcp().connection_count() == 0);
  CHECK(c.peer.segments().empty());
}

TEST_CASE("TcpAbortSendsRstAndFreesAtOnce") {
  Connected c;
  c.tcp().abort(c.id);
  Sent rst = c.peer.expect_one();
  CHECK(rst.tcp.flags == (kTcpRst | kTcpAck));
  CHECK(c.tcp().connection_count() == 0);
  c.peer.send(kTcpAck, "late");
  CHECK(c.peer.expect_one().tcp.flags == kTcpRst);  // no connection any more
}
