// The request-head parser: valid forms, every error status with its trigger, limits.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "http_parser.h"

using httpd::Method;
using httpd::ParseStatus;

namespace {

struct Parsed {
  std::shared_ptr<std::string> text;  // the request points into it
  httpd::ParseResult result;
  httpd::Request request;
};

Parsed parse(const std::string& text, const httpd::Limits& limits = {}) {
  Parsed p{std::make_shared<std::string>(text), {}, {}};
  size_t scan = 0;
  p.result = httpd::parse_request(reinterpret_cast<const uint8_t*>(p.text->data()), p.text->size(), limits, &scan,
                                  &p.request);
  return p;
}

uint16_t error_of(const std::string& text, const httpd::Limits& limits = {}) {
  Parsed p = parse(text, limits);
  return p.result.status == ParseStatus::kError ? p.result.error : 0;
}

const std::string kHost = "Host: h\r\n";

}  // namespace

TEST_CASE("HttpSimpleGetIsParsed") {
  std::string text = "GET /index.html?x=1 HTTP/1.1\r\nHost: example\r\nUser-Agent: t\r\n\r\n";
  Parsed p = parse(text + "NEXT");
  REQUIRE(p.result.status == ParseStatus::kComplete);
  CHECK(p.request.method == Method::kGet);
  CHECK(std::string(p.request.target, p.request.target_length) == "/index.html?x=1");
  CHECK(p.request.version_minor == 1);
  CHECK(p.request.keep_alive);
  CHECK(p.request.content_length == 0);
  CHECK(p.request.head_length == text.size());
}

TEST_CASE("HttpHeadAndOtherMethodsAreRecognised") {
  CHECK(parse("HEAD / HTTP/1.1\r\n" + kHost + "\r\n").request.method == Method::kHead);
  CHECK(parse("DELETE / HTTP/1.1\r\n" + kHost + "\r\n").request.method == Method::kOther);
  CHECK(parse("get / HTTP/1.1\r\n" + kHost + "\r\n").request.method == Method::kOther);  // case-sensitive
}

TEST_CASE("HttpPersistenceFollowsVersionAndConnection") {
  CHECK(parse("GET / HTTP/1.1\r\n" + kHost + "\r\n").request.keep_alive);
  CHECK_FALSE(parse("GET / HTTP/1.1\r\n" + kHost + "Connection: close\r\n\r\n").request.keep_alive);
  CHECK_FALSE(parse("GET / HTTP/1.1\r\n" + kHost + "Connection: Upgrade, CLOSE\r\n\r\n").request.keep_alive);
  CHECK_FALSE(parse("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").request.keep_alive);
  CHECK(parse("GET / HTTP/1.9\r\n" + kHost + "\r\n").request.version_minor == 1);
}

TEST_CASE("HttpIncompleteHeadWaitsForMoreBytes") {
  CHECK(parse("GET / HTTP/1.1\r\nHost: h\r\n").result.status == ParseStatus::kIncomplete);
  CHECK(parse("GET / HT").result.status == ParseStatus::kIncomplete);
  CHECK(parse("\r").result.status == ParseStatus::kIncomplete);
  CHECK(parse("").result.status == ParseStatus::kIncomplete);
}

TEST_CASE("HttpHeadFedByteByByteParsesTheSame") {
  std::string text = "GET /a HTTP/1.1\r\nHost: h\r\nX: y\r\n\r\n";
  size_t scan = 0;
  httpd::Request req{};
  httpd::Limits limits;
  for (size_t n = 1; n < text.size(); ++n) {
    auto r = httpd::parse_request(reinterpret_cast<const uint8_t*>(text.data()), n, limits, &scan, &req);
    REQUIRE(r.status == ParseStatus::kIncomplete);
  }
  auto r = httpd::parse_request(reinterpret_cast<const uint8_t*>(text.data()), text.size(), limits, &scan, &req);
  REQUIRE(r.status == ParseStatus::kComplete);
  CHECK(req.head_length == text.size());
}

TEST_CASE("HttpLeadingEmptyLinesAreIgnored") {
  Parsed p = parse("\r\n\r\nGET / HTTP/1.1\r\n" + kHost + "\r\n");
  REQUIRE(p.result.status == ParseStatus::kComplete);
  CHECK(p.request.head_length == 4 + 16 + kHost.size() + 2);
}

TEST_CASE("HttpBareLfLineEndsAreAccepted") {
  Parsed p = parse("GET / HTTP/1.1\nHost: h\n\n");
  REQUIRE(p.result.status == ParseStatus::kComplete);
  CHECK(p.request.head_length == 24);
}

TEST_CASE("HttpPipelinedRequestsAreParsedOneAtATime") {
  std::string one = "GET /1 HTTP/1.1\r\n" + kHost + "\r\n";
  std::string two = "GET /2 HTTP/1.1\r\n" + kHost + "\r\n";
  Parsed p = parse(one + two);
  REQUIRE(p.result.status == ParseStatus::kComplete);
  CHECK(p.request.head_length == one.size());
  CHECK(std::string(p.request.target, p.request.target_length) == "/1");
}

TEST_CASE("HttpGarbageBytesAreRefused400WithoutWaitingForALineEnd") {
  CHECK(error_of(std::string("\x16\x03\x01\x02\x00", 5)) == 400);  // a TLS ClientHello
  CHECK(error_of("GET\t/ HTTP/1.1") == 400);
  CHECK(error_of("GET /a\x01 HTTP/1.1") == 400);
  CHECK(error_of("GET / HTTQ") == 400);
  CHECK(error_of(" GET / HTTP/1.1\r\n\r\n") == 400);
}

TEST_CASE("HttpMalformedRequestLine400") {
  CHECK(error_of("GET  / HTTP/1.1\r\n" + kHost + "\r\n") == 400);  // double space
  CHECK(error_of("GET /\r\n" + kHost + "\r\n") == 400);            // HTTP/0.9 style
  CHECK(error_of("GET / HTTP/1.1 \r\n" + kHost + "\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.10\r\n" + kHost + "\r\n") == 400);
  CHECK(error_of("GET / http/1.1\r\n" + kHost + "\r\n") == 400);
}

TEST_CASE("HttpRequestLineTooLong414") {
  std::string target(3000, 'a');
  CHECK(error_of("GET /" + target + " HTTP/1.1\r\n" + kHost + "\r\n") == 414);
  CHECK(error_of("GET /" + target) == 414);  // before the line has even ended
}

TEST_CASE("HttpHeaderSectionTooLarge431") {
  std::string fields;
  for (int i = 0; i < 40; ++i) fields += "X-Filler-" + std::to_string(i) + ": " + std::string(100, 'v') + "\r\n";
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + fields + "\r\n") == 431);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + fields) == 431);  // still incomplete
}

TEST_CASE("HttpFieldLineTooLong431") {
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Cookie: " + std::string(2100, 'c') + "\r\n\r\n") == 431);
}

TEST_CASE("HttpTooManyFields431") {
  std::string fields;
  for (int i = 0; i < 70; ++i) fields += "A" + std::to_string(i) + ": b\r\n";
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + fields + "\r\n") == 431);
}

TEST_CASE("HttpUnsupportedMajorVersion505") {
  CHECK(error_of("GET / HTTP/2.0\r\n" + kHost + "\r\n") == 505);
  CHECK(error_of("GET / HTTP/0.9\r\n\r\n") == 505);
}

TEST_CASE("HttpWhitespaceBeforeTheColon400") {
  CHECK(error_of("GET / HTTP/1.1\r\nHost : h\r\n\r\n") == 400);
}

TEST_CASE("HttpObsoleteLineFolding400") {
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "X: a\r\n  b\r\n\r\n") == 400);
}

TEST_CASE("HttpControlCharactersInAFieldValue400") {
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + std::string("X: a\0b\r\n\r\n", 10)) == 400);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "X: a\rb\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Bad[name]: v\r\n\r\n") == 400);
}

TEST_CASE("HttpMissingHostIn11Is400ButOptionalIn10") {
  CHECK(error_of("GET / HTTP/1.1\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.0\r\n\r\n") == 0);
  CHECK(error_of("GET / HTTP/1.0\r\n" + kHost + kHost + "\r\n") == 400);  // duplicate Host
}

TEST_CASE("HttpContentLengthIsParsedAndConflictsAre400") {
  Parsed p = parse("GET / HTTP/1.1\r\n" + kHost + "Content-Length: 5, 5\r\nContent-Length: 5\r\n\r\n");
  REQUIRE(p.result.status == ParseStatus::kComplete);
  CHECK(p.request.content_length == 5);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Content-Length: 5, 6\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Content-Length: -1\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Content-Length: 0x10\r\n\r\n") == 400);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Content-Length:\r\n\r\n") == 400);
}

TEST_CASE("HttpContentLengthTooLarge413") {
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Content-Length: 1048577\r\n\r\n") == 413);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "Content-Length: 99999999999999999999999999\r\n\r\n") == 413);
}

TEST_CASE("HttpTransferEncodingIs501AndWithContentLength400") {
  CHECK(error_of("POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\n\r\n") == 501);
  CHECK(error_of("POST / HTTP/1.1\r\n" + kHost + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n") == 400);
}

TEST_CASE("HttpLimitsAreConfigurable") {
  httpd::Limits tight;
  tight.max_request_line = 16;
  tight.max_head = 64;
  CHECK(error_of("GET /0123456789abcdef HTTP/1.1\r\n" + kHost + "\r\n", tight) == 414);
  CHECK(error_of("GET / HTTP/1.1\r\n" + kHost + "X: " + std::string(60, 'x') + "\r\n\r\n", tight) == 431);
}
