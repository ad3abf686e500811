#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "executor/Executor.h"
#include "executor/WhenAll.h"
#include "executor/host/HeapFramePool.h"
#include "pds/tls/TlsStream.h"
#include "tests/tls/EnginePair.h"
#include "tests/tls/MemoryPipe.h"
#include "tests/tls/TestCredentials.h"

namespace corokit::tls {
namespace {

using testing::bytes;
using testing::credentials;
using testing::NetError;
using testing::pattern;
using testing::PipeEnd;
using Stream = TlsStream<PipeEnd>;

// The test sizes of the brief: around a record's 16 KiB plaintext limit, and a megabyte.
const std::size_t kSizes[] = {0, 1, 16383, 16384, 16385, 1 << 20};

class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& c = credentials();
    ASSERT_FALSE(c.chain.empty());
    auto s = TlsServerConfig::create(bytes(c.chain), bytes(c.leaf_key));
    auto cl = TlsClientConfig::create(bytes(c.ca));
    ASSERT_TRUE(s.ok() && cl.ok());
    server_config = s.value;
    client_config = cl.value;
  }

  exec::HeapFramePool frames;
  exec::Executor executor{frames};
  TlsServerConfig server_config;
  TlsClientConfig client_config;
  // A pipe smaller than a record, so records cross several transport reads.
  testing::Pipe pipe = testing::make_pipe(4096);
};

// Reads exactly `size` bytes (or until end/error); `status` gets the last error.
exec::Task<std::vector<std::uint8_t>> read_exactly(Stream& stream, std::size_t size, Stream::Error& status) {
  std::vector<std::uint8_t> got(size);
  std::size_t have = 0;
  while (have < size) {
    const auto r = co_await stream.read(std::span(got).subspan(have, std::min<std::size_t>(size - have, 10'000)));
    status = r.error;
    if (!r.ok() || r.value == 0) break;
    have += r.value;
  }
  got.resize(have);
  co_return got;
}

exec::Task<std::string> echo_server(Stream& stream) {
  if (const auto e = co_await stream.handshake(); !e.ok()) co_return std::string("handshake: ") + describe(e.tls);
  for (std::size_t size : kSizes) {
    Stream::Error status;
    const std::vector<std::uint8_t> got = co_await read_exactly(stream, size, status);
    if (got != pattern(size, 10)) co_return "request of " + std::to_string(size) + " corrupted: " + describe(status.tls);
    if (const auto e = co_await stream.write(pattern(size, 20)); !e.ok()) co_return "write failed";
  }
  std::uint8_t byte;
  const auto end = co_await stream.read({&byte, 1});
  if (!end.ok() || end.value != 0) co_return std::string("no clean end: ") + describe(end.error.tls);
  if (const auto e = co_await stream.close(); !e.ok()) co_return "close failed";
  co_return "ok";
}

exec::Task<std::string> echo_client(Stream& stream) {
  if (const auto e = co_await stream.handshake(); !e.ok()) co_return std::string("handshake: ") + describe(e.tls);
  for (std::size_t size : kSizes) {
    if (const auto e = co_await stream.write(pattern(size, 10)); !e.ok()) co_return "write failed";
    Stream::Error status;
    const std::vector<std::uint8_t> got = co_await read_exactly(stream, size, status);
    if (got != pattern(size, 20)) co_return "reply of " + std::to_string(size) + " corrupted: " + describe(status.tls);
  }
  if (const auto e = co_await stream.close(); !e.ok()) co_return "close failed";
  std::uint8_t byte;
  const auto end = co_await stream.read({&byte, 1});  // the server's close_notify
  if (!end.ok() || end.value != 0) co_return std::string("no clean end: ") + describe(end.error.tls);
  co_return "ok";
}

exec::Task<std::vector<std::string>> both(exec::Task<std::string> a, exec::Task<std::string> b) {
  auto [x, y] = co_await exec::when_all(std::move(a), std::move(b));
  co_return std::vector<std::string>{x, y};
}

TEST_F(TlsStreamTest, EchoesEverySizeBothWaysAndClosesCleanly) {
  Stream server(std::move(pipe.a), TlsEngine(server_config));
  Stream client(std::move(pipe.b), TlsEngine(client_config, "localhost"));
  auto outcome = executor.block_on(both(echo_server(server), echo_client(client)));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ((*outcome)[0], "ok");
  EXPECT_EQ((*outcome)[1], "ok");
  EXPECT_TRUE(server.transport().outgoing().closed);
  EXPECT_TRUE(client.transport().outgoing().closed);
}

exec::Task<std::string> read_once(Stream& stream) {
  std::uint8_t buffer[64];
  const auto r = co_await stream.read(buffer);
  if (r.ok()) co_return "read " + std::to_string(r.value);
  co_return describe(r.error.tls);
}

exec::Task<std::string> handshake_then_drop(Stream& stream) {
  const auto e = co_await stream.handshake();
  co_await stream.transport().close();  // the transport ends, no close_notify
  co_return describe(e.tls);
}

TEST_F(TlsStreamTest, TransportEndWithoutCloseNotifyIsTruncated) {
  Stream server(std::move(pipe.a), TlsEngine(server_config));
  Stream client(std::move(pipe.b), TlsEngine(client_config, "localhost"));
  auto outcome = executor.block_on(both(read_once(server), handshake_then_drop(client)));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ((*outcome)[0], describe(TlsError::Truncated));
  EXPECT_EQ((*outcome)[1], describe(TlsError::None));
}

exec::Task<std::string> handshake_status(Stream& stream) {
  const auto e = co_await stream.handshake();
  co_return describe(e.tls);
}

exec::Task<std::string> handshake_then_close(Stream& stream) {
  const auto e = co_await stream.handshake();
  const auto closed = co_await stream.close();  // the failed session's error again, transport closed
  co_return std::string(describe(e.tls)) + " / " + describe(closed.tls);
}

exec::Task<std::string> send_garbage(PipeEnd& end, std::size_t size) {
  const std::vector<std::uint8_t> noise = pattern(size, 7);
  co_await end.write(noise);
  std::uint8_t reply[256];
  for (;;) {  // an alert, or nothing, then the end
    const auto got = co_await end.read(reply);
    if (!got.ok()) co_return "transport error";
    if (got.value == 0) co_return "closed";
  }
}

TEST_F(TlsStreamTest, GarbageFromThePeerFailsTheHandshakeAndTheServerCloses) {
  Stream server(std::move(pipe.a), TlsEngine(server_config));
  auto outcome = executor.block_on(both(handshake_then_close(server), send_garbage(pipe.b, 3000)));
  ASSERT_TRUE(outcome.has_value());
  const std::string failed = describe(TlsError::HandshakeFailed);
  EXPECT_EQ((*outcome)[0], failed + " / " + failed);
  EXPECT_EQ((*outcome)[1], "closed");
}

exec::Task<std::string> send_then_close(PipeEnd& end, std::span<const std::uint8_t> data) {
  co_await end.write(data);
  co_await end.close();
  co_return "sent";
}

TEST_F(TlsStreamTest, TruncatedClientHelloThenEndIsTruncated) {
  // A real client hello, cut short, then the transport ends.
  TlsEngine client(client_config, "localhost");
  ASSERT_EQ(client.handshake(), TlsError::WantRead);
  const std::vector<std::uint8_t> hello(client.pending_output().begin(), client.pending_output().end());
  Stream server(std::move(pipe.a), TlsEngine(server_config));
  auto outcome = executor.block_on(
      both(handshake_status(server), send_then_close(pipe.b, std::span(hello).first(hello.size() - 1))));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ((*outcome)[0], describe(TlsError::Truncated));
}

TEST_F(TlsStreamTest, UntrustedServerFailsBothSides) {
  const auto& c = credentials();
  auto other = TlsServerConfig::create(bytes(c.other_leaf), bytes(c.other_key));
  ASSERT_TRUE(other.ok());
  Stream server(std::move(pipe.a), TlsEngine(other.value));
  Stream client(std::move(pipe.b), TlsEngine(client_config, "localhost"));
  auto outcome = executor.block_on(both(handshake_status(server), handshake_status(client)));
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ((*outcome)[0], describe(TlsError::PeerAlert));
  EXPECT_EQ((*outcome)[1], describe(TlsError::PeerVerifyFailed));
}

exec::Task<std::string> overlapping_reads(Stream& stream) {
  auto [first, second] = co_await exec::when_all(read_once(stream), [](Stream& s) -> exec::Task<std::string> {
    const std::string result = co_await read_once(s);
    s.abort();  // unblocks the first read
    co_return result;
  }(stream));
  co_return first + " / " + second;
}

TEST_F(TlsStreamTest, OverlappingOperationsAreBusy) {
  Stream server(std::move(pipe.a), TlsEngine(server_config));
  auto outcome = executor.block_on(overlapping_reads(server));
  ASSERT_TRUE(outcome.has_value());
  // The first read waits for the client hello until the abort resets the transport.
  EXPECT_EQ(*outcome, std::string(describe(TlsError::None)) + " / " + describe(TlsError::Busy));
}

}  // namespace
}  // namespace corokit::tls
