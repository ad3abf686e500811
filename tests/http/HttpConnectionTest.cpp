// The connection loop of the static-site server against a scripted stream and an in-memory site:
// every status it produces, pipelining, keep-alive and close, HEAD, chunked bodies, stream failures.
#include "pds/http/HttpConnection.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "executor/Executor.h"
#include "executor/host/HeapFramePool.h"

namespace corokit::http {
namespace {

enum class StreamError { None, Broken };

struct ReadResult {
  size_t value = 0;
  bool failed = false;
  bool ok() const { return !failed; }
};

// Delivers `input` one scripted piece per read (then end of stream), records what is written.
class ScriptedStream {
 public:
  explicit ScriptedStream(std::vector<std::string> input) : input_(std::move(input)) {}

  exec::Task<ReadResult> read(std::span<uint8_t> out) {
    if (next_ == input_.size()) co_return ReadResult{0, fail_reads_at_end_};
    std::string& piece = input_[next_];
    size_t n = std::min(piece.size(), out.size());
    std::copy_n(piece.data(), n, out.data());
    piece.erase(0, n);
    if (piece.empty()) ++next_;
    co_return ReadResult{n, false};
  }
  exec::Task<StreamError> write(std::span<const uint8_t> data) {
    if (written_limit_ && output.size() + data.size() > *written_limit_) co_return StreamError::Broken;
    output.append(reinterpret_cast<const char*>(data.data()), data.size());
    ++writes;
    co_return StreamError::None;
  }
  exec::Task<StreamError> close() {
    ++closes;
    co_return StreamError::None;
  }

  std::string output;
  int writes = 0;
  int closes = 0;
  std::optional<size_t> written_limit_;
  bool fail_reads_at_end_ = false;

 private:
  std::vector<std::string> input_;
  size_t next_ = 0;
};

// Files by path; directories are paths ending in '/' in `dirs`. Chunks are at most `chunk_size`.
class MemorySite {
 public:
  struct File {
    bool directory = false;
    uint64_t size = 0;
    const std::string* data = nullptr;
  };
  struct Chunk {
    std::span<const uint8_t> view;
    std::span<const uint8_t> bytes() const { return view; }
  };

  exec::Task<fs::FsError> lookup(std::string_view path, File& out) {
    ++lookups;
    if (fail_io) co_return fs::FsError::Io;
    std::string p(path);
    if (!p.empty() && p.back() == '/') p.pop_back();
    if (p.empty() || dirs.count(p)) {
      out = File{true, 0, nullptr};
      co_return fs::FsError::None;
    }
    auto it = files.find(p);
    if (it == files.end()) co_return fs::FsError::NotFound;
    out = File{false, it->second.size(), &it->second};
    co_return fs::FsError::None;
  }
  exec::Task<fs::FsError> chunk(File& file, uint64_t offset, Chunk& out) {
    if (fail_chunks) co_return fs::FsError::Io;
    size_t n = std::min<size_t>(chunk_size, file.data->size() - offset);
    out.view = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(file.data->data()) + offset, n);
    co_return fs::FsError::None;
  }

  std::map<std::string, std::string> files;
  std::map<std::string, bool> dirs;
  size_t chunk_size = 4096;
  bool fail_io = false;
  bool fail_chunks = false;
  int lookups = 0;
};

class HttpConnectionTest : public ::testing::Test {
 protected:
  HttpConnectionTest() {
    site.files["/index.html"] = "<h1>home</h1>";
    site.files["/docs/index.html"] = "<p>docs</p>";
    site.files["/style.css"] = "body{}";
    site.dirs["/docs"] = true;
    site.dirs["/empty"] = true;
    std::string big(100000, '\0');
    for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + i % 23);
    site.files["/big.bin"] = big;
  }

  std::string serve(std::vector<std::string> input) {
    ScriptedStream stream(std::move(input));
    run(stream);
    closes = stream.closes;
    return stream.output;
  }
  void run(ScriptedStream& stream) {
    exec::HeapFramePool frames;
    exec::Executor executor(frames);
    ASSERT_TRUE(executor.block_on(serve_connection(stream, site, counters)).has_value());
  }

  MemorySite site;
  ServerCounters counters;
  int closes = 0;
};

// Splits a response stream into responses using Content-Length.
std::vector<std::pair<std::string, std::string>> responses(const std::string& out, bool bodies = true) {
  std::vector<std::pair<std::string, std::string>> result;
  size_t at = 0;
  while (at < out.size()) {
    size_t end = out.find("\r\n\r\n", at);
    if (end == std::string::npos) break;
    std::string head = out.substr(at, end + 4 - at);
    size_t cl = head.find("Content-Length: ");
    size_t length = cl == std::string::npos ? 0 : std::stoul(head.substr(cl + 16));
    at = end + 4;
    std::string body = bodies ? out.substr(at, length) : "";
    if (bodies) at += length;
    result.emplace_back(head, body);
  }
  return result;
}

TEST_F(HttpConnectionTest, ServesIndexAndFilesWithTypes) {
  auto r = responses(serve({"GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /style.css HTTP/1.1\r\nHost: x\r\n\r\n"}));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(r[0].first.find("Content-Type: text/html"), std::string::npos);
  EXPECT_EQ(r[0].second, "<h1>home</h1>");
  EXPECT_NE(r[1].first.find("Content-Type: text/css"), std::string::npos);
  EXPECT_EQ(r[1].second, "body{}");
  EXPECT_EQ(closes, 1);
  EXPECT_EQ(counters.requests, 2u);
  EXPECT_EQ(counters.status_2xx, 2u);
}

TEST_F(HttpConnectionTest, LargeFileArrivesWholeInManyChunks) {
  site.chunk_size = 777;
  auto r = responses(serve({"GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second, site.files["/big.bin"]);
  EXPECT_NE(r[0].first.find("Connection: close"), std::string::npos);
  EXPECT_EQ(counters.body_bytes, site.files["/big.bin"].size());
}

TEST_F(HttpConnectionTest, PipelinedRequestsSplitAcrossReadsAreAnsweredInOrder) {
  std::string all =
      "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n"
      "HEAD /index.html HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /docs/ HTTP/1.1\r\nHost: x\r\n\r\n";
  std::vector<std::string> pieces;
  for (size_t i = 0; i < all.size(); i += 7) pieces.push_back(all.substr(i, 7));
  std::string out = serve(pieces);
  // HEAD has a Content-Length but no body: split it by hand.
  size_t head_at = out.find("HTTP/1.1 200 OK", 10);
  ASSERT_NE(head_at, std::string::npos);
  EXPECT_NE(out.find("Content-Length: 13\r\n", head_at), std::string::npos);
  EXPECT_EQ(out.find("<h1>home</h1>"), std::string::npos);  // HEAD: no body
  size_t not_found = out.find("HTTP/1.1 404 Not Found");
  size_t docs = out.find("<p>docs</p>");
  ASSERT_NE(not_found, std::string::npos);
  ASSERT_NE(docs, std::string::npos);
  EXPECT_LT(head_at, not_found);
  EXPECT_LT(not_found, docs);
  EXPECT_EQ(counters.requests, 4u);
  EXPECT_EQ(counters.status_4xx, 1u);
}

TEST_F(HttpConnectionTest, DirectoryWithoutSlashRedirects) {
  auto r = responses(serve({"GET /docs HTTP/1.1\r\nHost: x\r\n\r\n"}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 301 ", 0), 0u);
  EXPECT_NE(r[0].first.find("Location: /docs/\r\n"), std::string::npos);
}

TEST_F(HttpConnectionTest, DirectoryWithoutIndexIsNotFound) {
  auto r = responses(serve({"GET /empty/ HTTP/1.1\r\nHost: x\r\n\r\n"}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 404 ", 0), 0u);
}

TEST_F(HttpConnectionTest, OtherMethodsAre405WithAllow) {
  auto r = responses(serve({"DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"}));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 405 ", 0), 0u);
  EXPECT_NE(r[0].first.find("Allow: GET, HEAD"), std::string::npos);
  EXPECT_EQ(r[1].second, "<h1>home</h1>");  // the connection stays usable
}

TEST_F(HttpConnectionTest, MalformedRequestGets400AndClose) {
  std::string out = serve({"GARBAGE\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"});
  auto r = responses(out);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 400 ", 0), 0u);
  EXPECT_NE(r[0].first.find("Connection: close"), std::string::npos);
  EXPECT_EQ(closes, 1);
}

TEST_F(HttpConnectionTest, OversizedHeadIs431) {
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'b') + "\r\n\r\n";
  auto r = responses(serve({head}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 431 ", 0), 0u);
}

TEST_F(HttpConnectionTest, OversizedBodyIs413) {
  auto r = responses(serve({"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 999999\r\n\r\n"}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 413 ", 0), 0u);
}

TEST_F(HttpConnectionTest, TraversalNeverLeavesTheRoot) {
  auto r = responses(serve({"GET /../../docs/../style.css HTTP/1.1\r\nHost: x\r\n\r\n"}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].second, "body{}");
}

TEST_F(HttpConnectionTest, Http10ClosesAfterOneResponse) {
  auto r = responses(serve({"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\n\r\n"}));
  EXPECT_EQ(r.size(), 1u);
  EXPECT_EQ(closes, 1);
}

TEST_F(HttpConnectionTest, DiskErrorsAre500BeforeTheHeadAndACutAfterIt) {
  site.fail_io = true;
  auto r = responses(serve({"GET / HTTP/1.1\r\nHost: x\r\n\r\n"}));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].first.rfind("HTTP/1.1 500 ", 0), 0u);

  site.fail_io = false;
  site.fail_chunks = true;
  std::string out = serve({"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"});
  EXPECT_EQ(out.find("HTTP/1.1 200"), 0u);
  EXPECT_EQ(out.find("HTTP/1.1", 1), std::string::npos);  // no second response after the cut
  EXPECT_EQ(closes, 1);
}

TEST_F(HttpConnectionTest, BrokenStreamStopsServing) {
  ScriptedStream stream({"GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"});
  stream.written_limit_ = 1000;
  run(stream);
  EXPECT_LE(stream.output.size(), 1000u);
  EXPECT_EQ(stream.closes, 1);
  EXPECT_EQ(counters.requests, 1u);
}

TEST_F(HttpConnectionTest, ReadErrorEndsTheConnection) {
  ScriptedStream stream({"GET / HTTP/1.1\r\nHost: x\r\n\r\n"});
  stream.fail_reads_at_end_ = true;
  run(stream);
  EXPECT_EQ(responses(stream.output).size(), 1u);
  EXPECT_EQ(stream.closes, 1);
}

}  // namespace
}  // namespace corokit::http
