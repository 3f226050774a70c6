// Address parsing and the netdev.ip parameter (Unikraft syntax).
#include <catch2/catch.hpp>

#include "net/addr.h"

using gnet::ipv4;

TEST_CASE("NetdevIpParsesAddressPrefixAndGateway") {
  gnet::Ipv4Config c{};
  REQUIRE(gnet::parse_netdev_ip("198.18.0.2/15:198.18.0.1", &c));
  CHECK(c.address == ipv4(198, 18, 0, 2));
  CHECK(c.prefix_length == 15);
  CHECK(c.gateway == ipv4(198, 18, 0, 1));
  CHECK(c.netmask() == 0xfffe0000u);
  CHECK(c.on_link(ipv4(198, 19, 255, 1)));
  CHECK_FALSE(c.on_link(ipv4(198, 20, 0, 1)));
}

TEST_CASE("NetdevIpAcceptsMissingPartsAndExtraUnikraftFields") {
  gnet::Ipv4Config c{};
  REQUIRE(gnet::parse_netdev_ip("10.1.2.3", &c));
  CHECK(c.prefix_length == 24);
  CHECK(c.gateway == 0);
  REQUIRE(gnet::parse_netdev_ip("172.44.0.2/24:172.44.0.1:8.8.8.8::myhost", &c));
  CHECK(c.gateway == ipv4(172, 44, 0, 1));
  REQUIRE(gnet::parse_netdev_ip("172.44.0.2/24:", &c));
  CHECK(c.gateway == 0);
}

TEST_CASE("NetdevIpRejectsMalformedValues") {
  gnet::Ipv4Config c = gnet::kDefaultIpv4Config;
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/0",
                          "1.2.3.4/2x", "01.2.3.4444", "1..3.4", "a.b.c.d", "1.2.3.4/24:1.2.4.1",
                          "0.0.0.0/8", "224.0.0.1/4", "1.2.3.4/24:garbage", " 1.2.3.4"}) {
    INFO(bad);
    CHECK_FALSE(gnet::parse_netdev_ip(bad, &c));
  }
  CHECK(c.address == gnet::kDefaultIpv4Config.address);  // untouched on failure
}

TEST_CASE("FormatIpv4WritesDottedQuad") {
  char out[16];
  CHECK(gnet::format_ipv4(ipv4(198, 18, 0, 2), out) == 10);
  CHECK(std::string(out) == "198.18.0.2");
  gnet::format_ipv4(ipv4(255, 255, 255, 255), out);
  CHECK(std::string(out) == "255.255.255.255");
}
