// Internet checksum (RFC 1071), sequence-number arithmetic and the keyed hash.
#include <catch2/catch.hpp>

#include <vector>

#include "net/wire.h"
#include "net/isn.h"

TEST_CASE("ChecksumMatchesRfc1071WorkedExample") {
  // RFC 1071 section 3: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2; the checksum its complement.
  const uint8_t bytes[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  CHECK(gnet::internet_checksum(bytes, sizeof bytes) == static_cast<uint16_t>(~0xddf2));
}

TEST_CASE("ChecksumOfOddLengthPiecesEqualsContiguousChecksum") {
  std::vector<uint8_t> data(301);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 37 + 11);
  uint16_t whole = gnet::internet_checksum(data.data(), data.size());
  for (size_t a : {1u, 3u, 8u, 17u, 150u}) {
    for (size_t b : {0u, 1u, 2u, 5u, 64u}) {
      gnet::Checksum sum;
      sum.add(data.data(), a);
      sum.add(data.data() + a, b);
      sum.add(data.data() + a + b, data.size() - a - b);
      CHECK(sum.finish() == whole);
    }
  }
}

TEST_CASE("ChecksumVerifiesToZeroWithTheFieldIncluded") {
  uint8_t packet[20] = {0x45, 0, 0, 20, 0x12, 0x34, 0, 0, 64, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2};
  uint16_t c = gnet::internet_checksum(packet, sizeof packet);
  packet[10] = static_cast<uint8_t>(c >> 8);
  packet[11] = static_cast<uint8_t>(c);
  CHECK(gnet::internet_checksum(packet, sizeof packet) == 0);
}

TEST_CASE("SequenceComparisonsHoldAcrossTheWrap") {
  CHECK(gnet::seq_lt(0xfffffff0u, 0x10u));
  CHECK(gnet::seq_gt(0x10u, 0xfffffff0u));
  CHECK(gnet::seq_le(5u, 5u));
  CHECK_FALSE(gnet::seq_lt(5u, 5u));
  CHECK(gnet::seq_in(0x2u, 0xfffffffeu, 0x10u));
  CHECK_FALSE(gnet::seq_in(0x10u, 0xfffffffeu, 0x10u));
  CHECK_FALSE(gnet::seq_in(7u, 7u, 7u));  // empty window
  CHECK(gnet::seq_max(0xffffff00u, 0x100u) == 0x100u);
}

TEST_CASE("SipHashMatchesTheReferenceVector") {
  // SipHash paper, appendix A: key 00..0f, message 00..0e.
  uint8_t key[16], message[15];
  for (int i = 0; i < 16; ++i) key[i] = static_cast<uint8_t>(i);
  for (int i = 0; i < 15; ++i) message[i] = static_cast<uint8_t>(i);
  CHECK(gnet::siphash24(key, message, sizeof message) == 0xa129ca6149be45e5ull);
}

TEST_CASE("IsnAdvancesWithTheClockAndDependsOnTheTuple") {
  uint8_t key[16] = {1, 2, 3};
  uint32_t a = gnet::tcp_isn(key, 1, 80, 2, 40000, 0);
  CHECK(gnet::tcp_isn(key, 1, 80, 2, 40000, 4000 * 1000) == a + 1000);
  CHECK(gnet::tcp_isn(key, 1, 80, 2, 40001, 0) != a);
}
