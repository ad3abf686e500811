// HTTP/1.1 request parsing, path normalisation and response heads of the static-site server.
#include <gtest/gtest.h>

#include <string>

#include "pds/http/HttpRequest.h"
#include "pds/http/HttpResponse.h"

namespace corokit::http {
namespace {

ParseResult parse(std::string_view s, Limits limits = {}) { return parse_request(s, limits); }

TEST(HttpRequest, SimpleGet) {
  std::string req = "GET /index.html HTTP/1.1\r\nHost: example\r\nUser-Agent: t\r\n\r\n";
  ParseResult r = parse(req);
  ASSERT_EQ(r.status, ParseStatus::Complete);
  EXPECT_EQ(r.consumed, req.size());
  EXPECT_EQ(r.request.method, Method::Get);
  EXPECT_EQ(r.request.target, "/index.html");
  EXPECT_EQ(r.request.host, "example");
  EXPECT_TRUE(r.request.keep_alive);
  EXPECT_EQ(r.request.header_count, 2u);
}

TEST(HttpRequest, IncompleteUntilTheEmptyLine) {
  std::string req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  for (size_t n = 0; n < req.size(); ++n) {
    EXPECT_EQ(parse(req.substr(0, n)).status, ParseStatus::Incomplete) << n;
  }
  EXPECT_EQ(parse(req).status, ParseStatus::Complete);
}

TEST(HttpRequest, PipelinedRequestsParseOneAfterTheOther) {
  std::string two = "GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  ParseResult first = parse(two);
  ASSERT_EQ(first.status, ParseStatus::Complete);
  EXPECT_EQ(first.request.target, "/a");
  ParseResult second = parse(std::string_view(two).substr(first.consumed));
  ASSERT_EQ(second.status, ParseStatus::Complete);
  EXPECT_EQ(second.request.method, Method::Head);
  EXPECT_EQ(second.request.target, "/b");
  EXPECT_FALSE(second.request.keep_alive);
  EXPECT_EQ(first.consumed + second.consumed, two.size());
}

TEST(HttpRequest, KeepAliveDefaultsPerVersion) {
  EXPECT_TRUE(parse("GET / HTTP/1.1\r\nHost: h\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nHost: h\r\nconnection: upgrade, close\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive);
}

TEST(HttpRequest, BodiesAreSkipped) {
  std::string req = "GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET";
  ParseResult r = parse(req);
  ASSERT_EQ(r.status, ParseStatus::Complete);
  EXPECT_EQ(r.consumed, req.size() - 3);
  EXPECT_EQ(parse(req.substr(0, req.size() - 5)).status, ParseStatus::Incomplete);
}

TEST(HttpRequest, BareLineFeedsAndLeadingEmptyLines) {
  ParseResult r = parse("\r\n\nGET /x HTTP/1.1\nHost: h\n\n");
  ASSERT_EQ(r.status, ParseStatus::Complete);
  EXPECT_EQ(r.request.target, "/x");
}

struct ErrorCase {
  const char* request;
  uint16_t status;
};

TEST(HttpRequest, MalformedAndOverLimitRequests) {
  const ErrorCase cases[] = {
      {"GET /\r\n\r\n", 400},                                   // no version
      {"GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400},              // empty target
      {"G(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400},               // bad method token
      {"GET / HTTP/1.1\r\n\r\n", 400},                          // 1.1 without Host
      {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},    // two Hosts
      {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400},              // space before the colon
      {"GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n", 400},    // obsolete folding
      {"GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999\r\n\r\n", 400},
      {"GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 9999999\r\n\r\n", 413},
      {"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
      {"GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400},
      {"GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505},
      {"GET / HTTX/1.1\r\nHost: h\r\n\r\n", 400},
      {"GET /\x01 HTTP/1.1\r\nHost: h\r\n\r\n", 400},
  };
  for (const ErrorCase& c : cases) {
    ParseResult r = parse(c.request);
    EXPECT_EQ(r.status, ParseStatus::Error) << c.request;
    EXPECT_EQ(r.error, c.status) << c.request;
  }
}

TEST(HttpRequest, HeadTooLargeIs431EvenBeforeItEnds) {
  std::string big = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(20000, 'a');
  ParseResult r = parse(big);
  EXPECT_EQ(r.status, ParseStatus::Error);
  EXPECT_EQ(r.error, 431);
  std::string many = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 101; ++i) many += "X-" + std::to_string(i) + ": 1\r\n";
  EXPECT_EQ(parse(many + "\r\n").error, 431);
}

std::string norm(std::string_view target) {
  char out[256];
  size_t n = normalize_path(target, out, sizeof out);
  return n == 0 ? "<invalid>" : std::string(out, n);
}

TEST(NormalizePath, DecodesAndNeverLeavesTheRoot) {
  EXPECT_EQ(norm("/"), "/");
  EXPECT_EQ(norm("/a/b.html?x=1#f"), "/a/b.html");
  EXPECT_EQ(norm("/a%20b"), "/a b");
  EXPECT_EQ(norm("/a/./b"), "/a/b");
  EXPECT_EQ(norm("/a/../b"), "/b");
  EXPECT_EQ(norm("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(norm("/a/%2e%2e/%2E%2E/etc"), "/etc");
  EXPECT_EQ(norm("/a/..%2f..%2fetc"), "/etc");
  EXPECT_EQ(norm("/dir/"), "/dir/");
  EXPECT_EQ(norm("/dir/."), "/dir/");
  EXPECT_EQ(norm("/dir/.."), "/");
  EXPECT_EQ(norm("//a//b"), "/a/b");
  EXPECT_EQ(norm("relative"), "<invalid>");
  EXPECT_EQ(norm("http://host/x"), "<invalid>");
  EXPECT_EQ(norm("/a%00b"), "<invalid>");
  EXPECT_EQ(norm("/a%zz"), "<invalid>");
  EXPECT_EQ(norm("/a%2"), "<invalid>");
  EXPECT_EQ(norm("/" + std::string(300, 'x')), "<invalid>");
}

TEST(HttpResponse, HeadFormat) {
  char buf[512];
  ResponseHead h;
  h.status = 200;
  h.content_type = content_type_for("/index.html");
  h.content_length = 1234;
  size_t n = format_head(h, buf, sizeof buf);
  EXPECT_EQ(std::string(buf, n),
            "HTTP/1.1 200 OK\r\nServer: corokit\r\nContent-Type: text/html; charset=utf-8\r\n"
            "Content-Length: 1234\r\nConnection: keep-alive\r\n\r\n");
  ResponseHead moved;
  moved.status = 301;
  moved.location = "/docs/";
  moved.keep_alive = false;
  n = format_head(moved, buf, sizeof buf);
  EXPECT_NE(std::string(buf, n).find("Location: /docs/\r\n"), std::string::npos);
  EXPECT_NE(std::string(buf, n).find("Connection: close\r\n"), std::string::npos);
  ResponseHead not_allowed;
  not_allowed.status = 405;
  not_allowed.allow_get_head = true;
  n = format_head(not_allowed, buf, sizeof buf);
  EXPECT_NE(std::string(buf, n).find("HTTP/1.1 405 Method Not Allowed\r\n"), std::string::npos);
  EXPECT_NE(std::string(buf, n).find("Allow: GET, HEAD\r\n"), std::string::npos);
  EXPECT_EQ(format_head(h, buf, 10), 0u);
}

TEST(HttpResponse, ContentTypes) {
  EXPECT_EQ(content_type_for("/a/style.CSS"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("/logo.png"), "image/png");
  EXPECT_EQ(content_type_for("/x.tar.gz"), "application/gzip");
  EXPECT_EQ(content_type_for("/noext"), "application/octet-stream");
  EXPECT_EQ(content_type_for("/dir.d/noext"), "application/octet-stream");
}

TEST(HttpResponse, ErrorBody) {
  char buf[256];
  size_t n = format_error_body(404, buf, sizeof buf);
  EXPECT_NE(std::string(buf, n).find("<h1>404 Not Found</h1>"), std::string::npos);
}

}  // namespace
}  // namespace corokit::http
