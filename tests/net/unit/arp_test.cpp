// ARP (RFC 826): replies, learning, resolution with rate-limited requests, hostile input.
#include <catch2/catch.hpp>

#include "net/wire.h"
#include "net_fixture.h"

using namespace nettest;

namespace {

const gnet::MacAddr kOtherMac{{0x02, 0, 0, 0, 0, 0x33}};
constexpr gnet::Ipv4Addr kOtherIp = gnet::ipv4(198, 18, 0, 33);

Frame arp_frame(uint16_t op, const gnet::MacAddr& smac, gnet::Ipv4Addr sip, gnet::Ipv4Addr tip) {
  return ethernet(gnet::MacAddr::broadcast(), smac, gnet::kEtherTypeArp, arp(op, smac, sip, gnet::MacAddr{}, tip));
}

// Sends a TCP segment from the server towards `dst` by making the stack answer a segment
// to a closed port; returns what the device saw.
std::vector<Sent> provoke_send_to(NetFixture& net, gnet::Ipv4Addr src, const gnet::MacAddr& mac) {
  TcpFields f;
  f.dst_port = 9;
  f.flags = gnet::kTcpSyn;
  net.deliver(ethernet(kServerMac, mac, gnet::kEtherTypeIpv4,
                       ipv4(src, kServerIp, gnet::kIpProtoTcp, tcp(src, kServerIp, f))));
  return net.take();
}

}  // namespace

TEST_CASE("ArpRequestForOurAddressIsAnswered") {
  NetFixture net(test_config(), false);
  net.deliver(arp_frame(1, kClientMac, kClientIp, kServerIp));
  auto sent = net.take();
  REQUIRE(sent.size() == 1);
  REQUIRE(sent[0].is_arp);
  CHECK(sent[0].arp_op == 2);
  CHECK(sent[0].eth.dst == kClientMac);
  CHECK(sent[0].arp_target == kClientIp);
  const uint8_t* p = sent[0].bytes.data() + gnet::kEthHeaderLength;
  CHECK(gnet::MacAddr{{p[8], p[9], p[10], p[11], p[12], p[13]}} == kServerMac);
  CHECK(gnet::load_be32(p + 14) == kServerIp);
  CHECK(net.stats().arp_replies_sent == 1);
}

TEST_CASE("ArpRequestForAnotherHostIsNotAnsweredNorLearned") {
  NetFixture net(test_config(), false);
  net.deliver(arp_frame(1, kOtherMac, kOtherIp, kClientIp));
  CHECK(net.take().empty());
  // An off-link sender (so nothing is gleaned) relayed by the gateway, which we have not
  // learnt either: the answer cannot go out; an ARP request for the gateway does.
  auto sent = provoke_send_to(net, gnet::ipv4(10, 9, 9, 9), kOtherMac);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].is_arp);
  CHECK(sent[0].arp_op == 1);
  CHECK(sent[0].arp_target == kClientIp);  // the gateway
}

TEST_CASE("ArpLearnsAnOnLinkSenderFromItsIpv4Frame") {
  NetFixture net(test_config(), false);
  auto sent = provoke_send_to(net, kOtherIp, kOtherMac);  // the host skipped ARP
  REQUIRE(sent.size() == 1);
  REQUIRE(sent[0].is_tcp);  // the RST goes out at once
  CHECK(sent[0].eth.dst == kOtherMac);
}

TEST_CASE("ArpTruncatedPacketIsDropped") {
  NetFixture net(test_config(), false);
  Frame f = arp_frame(1, kClientMac, kClientIp, kServerIp);
  f.resize(gnet::kEthHeaderLength + 27);
  net.deliver(f);
  CHECK(net.take().empty());
  CHECK(net.stats().arp_malformed == 1);
}

TEST_CASE("ArpWithWrongHardwareOrProtocolLengthIsDropped") {
  NetFixture net(test_config(), false);
  Frame f = arp_frame(1, kClientMac, kClientIp, kServerIp);
  f[gnet::kEthHeaderLength + 4] = 8;  // hardware address length
  net.deliver(f);
  Frame g = arp_frame(1, kClientMac, kClientIp, kServerIp);
  g[gnet::kEthHeaderLength + 1] = 6;  // hardware type 6
  net.deliver(g);
  CHECK(net.take().empty());
  CHECK(net.stats().arp_malformed == 2);
}

TEST_CASE("ArpClaimingOurAddressIsIgnored") {
  NetFixture net(test_config(), false);
  net.deliver(arp_frame(1, kOtherMac, kServerIp, kServerIp));
  CHECK(net.take().empty());
}

TEST_CASE("ArpMissDropsThePacketAndRequestsAtMostOncePerSecond") {
  NetFixture net(test_config(), false);
  const gnet::Ipv4Addr remote = gnet::ipv4(10, 9, 9, 9);  // off-link: via the unknown gateway
  auto first = provoke_send_to(net, remote, kOtherMac);
  REQUIRE(first.size() == 1);
  CHECK(first[0].is_arp);
  CHECK(provoke_send_to(net, remote, kOtherMac).empty());  // rate-limited
  net.now += gnet::Arp::kRequestIntervalNs;
  CHECK(provoke_send_to(net, remote, kOtherMac).size() == 1);
  CHECK(net.stats().tx_arp_miss == 3);
}

TEST_CASE("ArpReplyCompletesResolution") {
  NetFixture net(test_config(), false);
  const gnet::Ipv4Addr remote = gnet::ipv4(10, 9, 9, 9);
  provoke_send_to(net, remote, kOtherMac);
  net.deliver(ethernet(kServerMac, kOtherMac, gnet::kEtherTypeArp, arp(2, kOtherMac, kClientIp, kServerMac, kServerIp)));
  auto sent = provoke_send_to(net, remote, kOtherMac);
  REQUIRE(sent.size() == 1);
  REQUIRE(sent[0].is_tcp);
  CHECK(sent[0].eth.dst == kOtherMac);
}

TEST_CASE("ArpGratuitousAnnouncementUpdatesAKnownEntry") {
  NetFixture net;  // knows the client
  const gnet::MacAddr moved{{0x02, 0, 0, 0, 0, 0x99}};
  net.deliver(arp_frame(1, moved, kClientIp, kClientIp));  // gratuitous: target = sender
  auto sent = provoke_send_to(net, kClientIp, moved);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].eth.dst == moved);
}

TEST_CASE("ArpStaleEntryIsStillUsedWhileBeingRefreshed") {
  NetFixture net;  // has learnt the client, our gateway
  net.now += gnet::Arp::kEntryLifetimeNs + 1;
  auto sent = provoke_send_to(net, gnet::ipv4(10, 9, 9, 9), kClientMac);  // off-link: no gleaning
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].is_arp);  // refresh request
  CHECK(sent[1].is_tcp);  // and the packet still goes out
}
