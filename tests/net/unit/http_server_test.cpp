// The HTTP server end to end over the stack: responses, keep-alive, pipelining, errors
// with their close behaviour, timeouts; plus docroot resolution, content types, dates
// and the options parser.
#include <catch2/catch.hpp>

#include <map>

#include "net_fixture.h"
#include "options.h"
#include "server.h"

using namespace nettest;
using gnet::kTcpAck;
using gnet::kTcpFin;

namespace {

const std::string kIndex = "<html>welcome</html>\n";
const std::string kCss = "body{}";
const httpd::DocFile kFiles[] = {
    {"/dir/index.html", reinterpret_cast<const uint8_t*>("dir index"), 9},
    {"/index.html", reinterpret_cast<const uint8_t*>(kIndex.data()), static_cast<uint32_t>(kIndex.size())},
    {"/style.css", reinterpret_cast<const uint8_t*>(kCss.data()), static_cast<uint32_t>(kCss.size())},
};
const httpd::Docroot kDocroot(kFiles, 3);
constexpr int64_t kWallclockOffset = 784111777LL * 1'000'000'000 - 1'000'000'000;  // now=1s -> 1994-11-06

struct Served : NetFixture {
  httpd::HttpConfig config;
  std::unique_ptr<httpd::HttpServer> server;
  Peer peer;
  explicit Served(httpd::HttpConfig c = {}) : NetFixture(), config(c), peer(*this) {
    server = std::make_unique<httpd::HttpServer>(tcp(), kDocroot, config, kWallclockOffset);
    REQUIRE(server->start());
    peer.handshake();
    run();
  }
  void run() {
    step();
    server->run(now);
  }
  // Sends `text`, runs the server, and returns all response bytes (ACKing them).
  std::string exchange(const std::string& text) {
    if (!text.empty()) peer.send(kTcpAck, text);
    run();
    return peer.receive_all();
  }
  bool fin_seen() {
    run();
    for (const Sent& s : peer.segments()) {
      if (s.tcp.flags & kTcpFin) return true;
    }
    return false;
  }
};

struct Response {
  std::string status_line;
  std::map<std::string, std::string> fields;
  std::string body;
};

// Splits the first response off `text`.
Response parse_response(std::string& text) {
  Response r;
  size_t end = text.find("\r\n\r\n");
  REQUIRE(end != std::string::npos);
  std::string head = text.substr(0, end + 2);
  size_t eol = head.find("\r\n");
  r.status_line = head.substr(0, eol);
  for (size_t pos = eol + 2; pos < head.size();) {
    size_t next = head.find("\r\n", pos);
    std::string line = head.substr(pos, next - pos);
    size_t colon = line.find(':');
    r.fields[line.substr(0, colon)] = line.substr(colon + 2);
    pos = next + 2;
  }
  size_t length = r.fields.count("Content-Length") ? std::stoul(r.fields["Content-Length"]) : 0;
  bool has_body = r.status_line.find(" 200 ") == std::string::npos || length == 0 ||
                  text.size() >= end + 4 + length;
  r.body = has_body ? text.substr(end + 4, length) : "";
  text.erase(0, end + 4 + r.body.size());
  return r;
}

const std::string kGet = "GET / HTTP/1.1\r\nHost: t\r\n\r\n";

}  // namespace

TEST_CASE("HttpServesTheIndexWithItsHeaders") {
  Served s;
  std::string out = s.exchange(kGet);
  Response r = parse_response(out);
  CHECK(r.status_line == "HTTP/1.1 200 OK");
  CHECK(r.fields["Content-Type"] == "text/html");
  CHECK(r.fields["Content-Length"] == std::to_string(kIndex.size()));
  CHECK(r.fields["Server"] == "libvmm-httpd");
  CHECK(r.fields["Date"] == "Sun, 06 Nov 1994 08:49:37 GMT");
  CHECK(r.fields["Connection"] == "keep-alive");
  CHECK(r.body == kIndex);
  CHECK(out.empty());
  CHECK(s.tcp().connection_count() == 1);  // kept alive
}

TEST_CASE("HttpHeadSendsHeadersWithoutBody") {
  Served s;
  std::string out = s.exchange("HEAD /style.css HTTP/1.1\r\nHost: t\r\n\r\n");
  CHECK(out.find("Content-Length: 6\r\n") != std::string::npos);
  CHECK(out.find("Content-Type: text/css\r\n") != std::string::npos);
  CHECK(out.substr(out.size() - 4) == "\r\n\r\n");
}

TEST_CASE("HttpKeepAliveServesSeveralRequestsOnOneConnection") {
  Served s;
  for (int i = 0; i < 3; ++i) {
    std::string out = s.exchange(kGet);
    CHECK(parse_response(out).body == kIndex);
  }
  CHECK(s.server->stats().connections == 1);
  CHECK(s.server->stats().responses_2xx == 3);
}

TEST_CASE("Http404KeepsTheConnectionOpen") {
  Served s;
  std::string out = s.exchange("GET /missing HTTP/1.1\r\nHost: t\r\n\r\n");
  Response r = parse_response(out);
  CHECK(r.status_line == "HTTP/1.1 404 Not Found");
  CHECK(r.fields["Connection"] == "keep-alive");
  CHECK(r.body.find("404 Not Found") != std::string::npos);
  CHECK_FALSE(s.fin_seen());
}

TEST_CASE("Http405CarriesAllow") {
  Served s;
  std::string out = s.exchange("DELETE / HTTP/1.1\r\nHost: t\r\n\r\n");
  Response r = parse_response(out);
  CHECK(r.status_line == "HTTP/1.1 405 Method Not Allowed");
  CHECK(r.fields["Allow"] == "GET, HEAD");
}

TEST_CASE("HttpConnectionCloseIsHonouredAfterTheResponse") {
  Served s;
  s.peer.send(kTcpAck, "GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  s.run();
  auto segs = s.peer.segments();
  REQUIRE(!segs.empty());
  CHECK((segs.back().tcp.flags & kTcpFin) != 0);
  std::string all;
  for (const Sent& seg : segs) all += seg.payload;
  CHECK(all.find("Connection: close\r\n") != std::string::npos);
}

TEST_CASE("Http10WithoutKeepAliveIsClosed") {
  Served s;
  s.peer.send(kTcpAck, "GET / HTTP/1.0\r\n\r\n");
  CHECK(s.fin_seen());
}

TEST_CASE("HttpPipelinedRequestsAreAnsweredInOrder") {
  Served s;
  std::string out = s.exchange("GET /style.css HTTP/1.1\r\nHost: t\r\n\r\nGET /dir/ HTTP/1.1\r\nHost: t\r\n\r\n" +
                               std::string("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"));
  CHECK(parse_response(out).body == kCss);
  CHECK(parse_response(out).body == "dir index");
  CHECK(parse_response(out).status_line == "HTTP/1.1 404 Not Found");
  CHECK(out.empty());
}

TEST_CASE("HttpManyPipelinedRequestsWaitForSendSpace") {
  Served s;
  std::string burst;
  for (int i = 0; i < 30; ++i) burst += kGet;  // more than the send queue holds at once
  s.peer.send(kTcpAck, burst);
  int responses = 0;
  for (int round = 0; round < 40 && responses < 30; ++round) {
    s.run();
    std::string out = s.peer.receive_all();
    while (!out.empty()) {
      CHECK(parse_response(out).body == kIndex);
      ++responses;
    }
  }
  CHECK(responses == 30);
}

TEST_CASE("HttpBadRequestIsAnsweredAndClosed") {
  Served s;
  s.peer.send(kTcpAck, "GARBAGE\x01\r\n\r\n");
  s.run();
  auto segs = s.peer.segments();
  std::string all;
  for (const Sent& seg : segs) all += seg.payload;
  CHECK(all.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
  CHECK(all.find("Connection: close\r\n") != std::string::npos);
  REQUIRE(!segs.empty());
  CHECK((segs.back().tcp.flags & kTcpFin) != 0);
}

TEST_CASE("HttpEachParserErrorIsSentWithItsStatus") {
  const std::pair<std::string, std::string> cases[] = {
      {"GET / HTTP/2.0\r\nHost: t\r\n\r\n", "505 HTTP Version Not Supported"},
      {"GET /" + std::string(2100, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n", "414 URI Too Long"},
      {"GET / HTTP/1.1\r\nHost: t\r\nX: " + std::string(2100, 'x') + "\r\n\r\n", "431 Request Header Fields Too Large"},
      {"GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n", "413 Content Too Large"},
      {"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n", "501 Not Implemented"},
  };
  for (const auto& [request, status] : cases) {
    INFO(status);
    Served s;
    std::string out;
    s.peer.send(kTcpAck, request.substr(0, 1400));
    if (request.size() > 1400) s.peer.send(kTcpAck, request.substr(1400));
    s.run();
    for (const Sent& seg : s.peer.segments()) out += seg.payload;
    CHECK(out.rfind("HTTP/1.1 " + status + "\r\n", 0) == 0);
  }
}

TEST_CASE("HttpRequestBodyIsDiscardedBeforeTheNextRequest") {
  Served s;
  std::string out = s.exchange("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nHELLO" + kGet);
  CHECK(parse_response(out).body == kIndex);
  CHECK(parse_response(out).body == kIndex);
  CHECK(s.server->stats().responses_4xx == 0);
}

TEST_CASE("HttpSlowlorisHeadIsTimedOut") {
  httpd::HttpConfig config;
  config.header_timeout_ns = 2'000'000'000;
  Served s(config);
  s.peer.send(kTcpAck, "GET / HTTP/1.1\r\n");
  s.run();
  s.peer.receive_all();
  for (int i = 0; i < 3; ++i) {  // a byte now and then does not extend the deadline
    s.now += 500'000'000;
    s.peer.send(kTcpAck, "X");
    s.run();
  }
  s.advance_to_deadline();
  s.server->run(s.now);
  CHECK(s.fin_seen());
  CHECK(s.server->stats().timeouts == 1);
}

TEST_CASE("HttpIdleKeepAliveConnectionIsClosed") {
  httpd::HttpConfig config;
  config.keepalive_timeout_ns = 3'000'000'000;
  Served s(config);
  s.exchange(kGet);
  s.run();  // the ACK of the response frees the send queue: now idle
  uint64_t idle_since = s.now;
  s.advance_to_deadline();
  s.server->run(s.now);
  CHECK(s.now - idle_since == 3'000'000'000);
  CHECK(s.fin_seen());
}

TEST_CASE("HttpPeerHalfCloseAfterARequestStillGetsTheResponse") {
  Served s;
  s.peer.send(kTcpAck, kGet);
  s.peer.send(kTcpAck | kTcpFin);
  s.run();
  std::string all;
  bool fin = false;
  for (const Sent& seg : s.peer.segments()) {
    all += seg.payload;
    fin |= (seg.tcp.flags & kTcpFin) != 0;
  }
  CHECK(all.rfind("HTTP/1.1 200 OK", 0) == 0);
  CHECK(fin);
}

TEST_CASE("DocrootResolvesOriginAndAbsoluteFormsAndEscapes") {
  const httpd::DocFile* f = nullptr;
  CHECK(kDocroot.resolve("/", 1, &f) == 200);
  CHECK(std::string(f->path) == "/index.html");
  CHECK(kDocroot.resolve("/%64ir/?q=1", 11, &f) == 200);
  CHECK(std::string(f->path) == "/dir/index.html");
  CHECK(kDocroot.resolve("http://host:80/style.css", 24, &f) == 200);
  CHECK(kDocroot.resolve("http://host", 11, &f) == 200);
  CHECK(kDocroot.resolve("/style.cs", 9, &f) == 404);
  CHECK(kDocroot.resolve("/%zz", 4, &f) == 400);
  CHECK(kDocroot.resolve("/a%00", 5, &f) == 400);
  CHECK(kDocroot.resolve("*", 1, &f) == 400);
  CHECK(kDocroot.resolve("/dir/../index.html", 18, &f) == 404);
  CHECK(kDocroot.resolve("/%2e%2e/index.html", 18, &f) == 404);
}

TEST_CASE("ContentTypeFollowsTheExtension") {
  CHECK(std::string(httpd::content_type_for("/a/b.HTML")) == "text/html");
  CHECK(std::string(httpd::content_type_for("/x.js")) == "text/javascript");
  CHECK(std::string(httpd::content_type_for("/1m.bin")) == "application/octet-stream");
  CHECK(std::string(httpd::content_type_for("/v.1/readme")) == "application/octet-stream");
  CHECK(std::string(httpd::content_type_for("/pic.png")) == "image/png");
}

TEST_CASE("HttpDateIsImfFixdate") {
  char out[httpd::kHttpDateLength + 1];
  httpd::format_http_date(784111777, out);
  CHECK(std::string(out) == "Sun, 06 Nov 1994 08:49:37 GMT");
  httpd::format_http_date(951782400, out);  // leap day 2000
  CHECK(std::string(out) == "Tue, 29 Feb 2000 00:00:00 GMT");
  httpd::format_http_date(0, out);
  CHECK(std::string(out) == "Thu, 01 Jan 1970 00:00:00 GMT");
  httpd::format_http_date(4102444799, out);
  CHECK(std::string(out) == "Thu, 31 Dec 2099 23:59:59 GMT");
}

TEST_CASE("HttpdOptionsParseUnikraftParameters") {
  std::map<std::string, std::string> params = {{"netdev.ip", "198.18.0.2/15:198.18.0.1"},
                                               {"httpd.port", "8080"},
                                               {"httpd.header_timeout_ms", "250"},
                                               {"tcp.time_wait_ms", "100"}};
  auto lookup = [](const char* name, void* ctx) -> const char* {
    auto* m = static_cast<std::map<std::string, std::string>*>(ctx);
    auto it = m->find(name);
    return it == m->end() ? nullptr : it->second.c_str();
  };
  httpd::HttpdOptions o;
  REQUIRE(httpd::parse_httpd_options(lookup, &params, &o) == nullptr);
  CHECK(o.stack.ip.address == kServerIp);
  CHECK(o.http.port == 8080);
  CHECK(o.http.header_timeout_ns == 250'000'000);
  CHECK(o.stack.tcp.time_wait_ns == 100'000'000);
  params["httpd.port"] = "70000";
  CHECK(std::string(httpd::parse_httpd_options(lookup, &params, &o)) == "httpd.port");
  params.clear();
  REQUIRE(httpd::parse_httpd_options(lookup, &params, &o) == nullptr);
  CHECK(o.stack.ip.address == gnet::ipv4(10, 0, 0, 2));
  CHECK(o.http.port == 80);
}
