// IPv4 input (RFC 791, RFC 1122 3.2.1) against malformed and misdirected packets, and ICMP
// echo (RFC 792).
#include <catch2/catch.hpp>

#include "net/wire.h"
#include "net_fixture.h"

using namespace nettest;

namespace {

Frame echo_frame(gnet::Ipv4Addr dst = kServerIp, const gnet::MacAddr& mac = kServerMac) {
  return ethernet(mac, kClientMac, gnet::kEtherTypeIpv4,
                  ipv4(kClientIp, dst, gnet::kIpProtoIcmp, icmp_echo(0x1234, 7, "ping payload")));
}

uint64_t ip_errors(const NetFixture& net, gnet::Ipv4Error e) { return net.stats().ip_errors[static_cast<int>(e)]; }

uint8_t* ip_header(Frame& f) { return f.data() + gnet::kEthHeaderLength; }

// Delivers an echo request edited by `edit` (header checksum recomputed afterwards when
// `fix_checksum`) and checks it was dropped for `error` with nothing sent.
template <class Edit>
void expect_dropped(Edit edit, bool fix_checksum, gnet::Ipv4Error error) {
  NetFixture net;
  Frame f = echo_frame();
  edit(f);
  if (fix_checksum) fix_ipv4_checksum(f);
  net.deliver(f);
  CHECK(net.take().empty());
  CHECK(ip_errors(net, error) == 1);
}

}  // namespace

TEST_CASE("IcmpEchoRequestIsAnsweredWithTheSameIdSequenceAndData") {
  NetFixture net;
  net.deliver(echo_frame());
  auto sent = net.take();
  REQUIRE(sent.size() == 1);
  REQUIRE(sent[0].is_ipv4);
  CHECK(sent[0].ip.protocol == gnet::kIpProtoIcmp);
  CHECK(sent[0].ip.dst == kClientIp);
  CHECK(sent[0].ip.src == kServerIp);
  const uint8_t* icmp = sent[0].ip.payload;
  CHECK(icmp[0] == 0);
  CHECK(gnet::load_be16(icmp + 4) == 0x1234);
  CHECK(gnet::load_be16(icmp + 6) == 7);
  CHECK(std::string(reinterpret_cast<const char*>(icmp + 8), sent[0].ip.payload_length - 8) == "ping payload");
  CHECK(gnet::internet_checksum(icmp, sent[0].ip.payload_length) == 0);
}

TEST_CASE("IcmpEchoWithBadChecksumIsDropped") {
  NetFixture net;
  Frame f = echo_frame();
  f.back() ^= 0xff;
  net.deliver(f);
  CHECK(net.take().empty());
  CHECK(net.stats().icmp_malformed == 1);
}

TEST_CASE("IcmpEchoToBroadcastIsIgnored") {
  NetFixture net;
  net.deliver(echo_frame(gnet::kIpv4Broadcast, gnet::MacAddr::broadcast()));
  CHECK(net.take().empty());
}

TEST_CASE("Ipv4HeaderLengthBelowFiveWordsIsDropped") {
  expect_dropped(
      [](Frame& f) {
        ip_header(f)[0] = 0x44;  // IHL 4
      },
      true, gnet::Ipv4Error::kBadHeaderLength);
}

TEST_CASE("Ipv4HeaderLengthPastTheFrameIsDropped") {
  expect_dropped(
      [](Frame& f) {
        ip_header(f)[0] = 0x4f;  // a 60-byte header in 40 bytes
        f.resize(gnet::kEthHeaderLength + 40);
      },
      false, gnet::Ipv4Error::kBadHeaderLength);
}

TEST_CASE("Ipv4TotalLengthLongerThanTheFrameIsDropped") {
  expect_dropped(
      [](Frame& f) {
        gnet::store_be16(ip_header(f) + 2, 1400);
      },
      true, gnet::Ipv4Error::kBadTotalLength);
}

TEST_CASE("Ipv4TotalLengthShorterThanTheHeaderIsDropped") {
  expect_dropped(
      [](Frame& f) {
        gnet::store_be16(ip_header(f) + 2, 19);
      },
      true, gnet::Ipv4Error::kBadTotalLength);
}

TEST_CASE("Ipv4EthernetPaddingBeyondTheTotalLengthIsIgnored") {
  NetFixture net;
  Frame f = echo_frame();
  f.insert(f.end(), 20, 0xee);  // link padding
  net.deliver(f);
  auto sent = net.take();
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].ip.payload_length == 8 + 12);  // the padding is not echoed
}

TEST_CASE("Ipv4FragmentsAreDropped") {
  NetFixture net;
  for (uint16_t flags_fragment : {uint16_t{0x2000}, uint16_t{0x0001}, uint16_t{0x2010}}) {
    net.deliver(ethernet(kServerMac, kClientMac, gnet::kEtherTypeIpv4,
                         ipv4(kClientIp, kServerIp, gnet::kIpProtoIcmp, icmp_echo(1, 1, "x"), flags_fragment)));
  }
  CHECK(net.take().empty());
  CHECK(ip_errors(net, gnet::Ipv4Error::kFragment) == 3);
}

TEST_CASE("Ipv4DontFragmentFlagAloneIsNotAFragment") {
  NetFixture net;
  net.deliver(ethernet(kServerMac, kClientMac, gnet::kEtherTypeIpv4,
                       ipv4(kClientIp, kServerIp, gnet::kIpProtoIcmp, icmp_echo(1, 1, "x"), 0x4000)));
  CHECK(net.take().size() == 1);
}

TEST_CASE("Ipv4BadHeaderChecksumIsDropped") {
  expect_dropped(
      [](Frame& f) {
        ip_header(f)[8] = 1;  // TTL changed, checksum not
      },
      false, gnet::Ipv4Error::kBadChecksum);
}

TEST_CASE("Ipv4VersionOtherThanFourIsDropped") {
  expect_dropped(
      [](Frame& f) {
        ip_header(f)[0] = 0x65;
      },
      true, gnet::Ipv4Error::kBadVersion);
}

TEST_CASE("Ipv4TruncatedHeaderIsDropped") {
  expect_dropped(
      [](Frame& f) {
        f.resize(gnet::kEthHeaderLength + 19);
      },
      false, gnet::Ipv4Error::kTruncated);
}

TEST_CASE("Ipv4OptionsAreSkipped") {
  NetFixture net;
  Frame payload = icmp_echo(9, 9, "opt");
  Frame p = ipv4(kClientIp, kServerIp, gnet::kIpProtoIcmp, payload);
  p.insert(p.begin() + 20, {1, 1, 1, 0});  // NOP NOP NOP EOL
  p[0] = 0x46;
  gnet::store_be16(p.data() + 2, static_cast<uint16_t>(p.size()));
  gnet::store_be16(p.data() + 10, 0);
  gnet::store_be16(p.data() + 10, gnet::internet_checksum(p.data(), 24));
  net.deliver_ip(p);
  CHECK(net.take().size() == 1);
}

TEST_CASE("Ipv4ForAnotherAddressIsDropped") {
  NetFixture net;
  net.deliver(echo_frame(gnet::ipv4(198, 18, 0, 99)));
  CHECK(net.take().empty());
  CHECK(net.stats().ip_not_for_us == 1);
}

TEST_CASE("Ipv4FromABroadcastOrMulticastSourceIsDropped") {
  NetFixture net;
  for (gnet::Ipv4Addr src : {gnet::kIpv4Broadcast, gnet::ipv4(224, 0, 0, 1), kServerIp, gnet::ipv4(198, 19, 255, 255)}) {
    net.deliver_ip(ipv4(src, kServerIp, gnet::kIpProtoIcmp, icmp_echo(1, 1, "x")));
  }
  CHECK(net.take().empty());
  CHECK(net.stats().ip_martian_source == 4);
}

TEST_CASE("EthernetFrameForAnotherMacIsDropped") {
  NetFixture net;
  net.deliver(echo_frame(kServerIp, gnet::MacAddr{{0x02, 9, 9, 9, 9, 9}}));
  Frame runt(10, 0);
  net.deliver(runt);
  CHECK(net.take().empty());
  CHECK(net.stats().rx_not_for_us == 2);
}

TEST_CASE("UnknownEtherTypeAndProtocolAreDropped") {
  NetFixture net;
  net.deliver(ethernet(kServerMac, kClientMac, 0x86dd, Frame(40, 0)));  // IPv6
  net.deliver_ip(ipv4(kClientIp, kServerIp, 17, Frame(8, 0)));          // UDP
  CHECK(net.take().empty());
  CHECK(net.stats().rx_unknown_ethertype == 1);
  CHECK(net.stats().ip_unknown_protocol == 1);
}

TEST_CASE("TcpSegmentToBroadcastIsDropped") {
  NetFixture net;
  TcpFields f;
  f.flags = gnet::kTcpSyn;
  net.deliver(ethernet(gnet::MacAddr::broadcast(), kClientMac, gnet::kEtherTypeIpv4,
                       ipv4(kClientIp, gnet::kIpv4Broadcast, gnet::kIpProtoTcp, tcp(kClientIp, gnet::kIpv4Broadcast, f))));
  CHECK(net.take().empty());
  CHECK(net.stats().tcp_to_broadcast == 1);
}
