// The OpenSSL backend's ClientHello limit (pds/tls/openssl/ClientHelloGuard.h), against clients
// made with OpenSSL directly, so they can do what TlsClientConfig never asks for: fragment their
// ClientHello, force a HelloRetryRequest, or insist on a TLS 1.2 ChaCha20 suite. Only in
// tls_tests_openssl.
#include <openssl/bio.h>
#include <openssl/ssl.h>

#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "pds/tls/TlsConfig.h"
#include "pds/tls/TlsEngine.h"
#include "tests/tls/TestCredentials.h"

namespace corokit::tls {
namespace {

using testing::bytes;
using testing::credentials;

// An OpenSSL client over two memory BIOs, verifying nothing (the server's side is under test).
class RawClient {
 public:
  RawClient(const char* groups, const char* tls12_ciphers, int max_version) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_max_proto_version(ctx_, max_version);
    if (groups != nullptr) SSL_CTX_set1_groups_list(ctx_, groups);
    if (tls12_ciphers != nullptr) SSL_CTX_set_cipher_list(ctx_, tls12_ciphers);
    ssl_ = SSL_new(ctx_);
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    SSL_set_bio(ssl_, in_, out_);
    SSL_set_connect_state(ssl_);
    SSL_set_tlsext_host_name(ssl_, "localhost");
  }
  ~RawClient() {
    SSL_free(ssl_);  // frees both BIOs
    SSL_CTX_free(ctx_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // One handshake step; true once it has finished.
  bool step() { return SSL_do_handshake(ssl_) == 1; }
  // What the client wants sent.
  std::vector<std::uint8_t> take() {
    std::vector<std::uint8_t> out(static_cast<std::size_t>(BIO_ctrl_pending(out_)));
    if (!out.empty()) BIO_read(out_, out.data(), static_cast<int>(out.size()));
    return out;
  }
  void give(std::span<const std::uint8_t> bytes) { BIO_write(in_, bytes.data(), static_cast<int>(bytes.size())); }
  std::string cipher() const { return SSL_get_cipher_name(ssl_); }

 private:
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;
  BIO* out_ = nullptr;
};

std::vector<std::uint8_t> take(TlsEngine& engine) {
  std::vector<std::uint8_t> out(engine.pending_output().begin(), engine.pending_output().end());
  engine.consume_output(out.size());
  return out;
}

// Runs a raw client and a server engine to the end of the handshake (or the first error).
bool connect(RawClient& client, TlsEngine& server) {
  for (int round = 0; round < 16; ++round) {
    const bool client_done = client.step();
    const std::vector<std::uint8_t> hello = client.take();
    EXPECT_EQ(server.feed(hello), hello.size());
    const TlsError s = server.handshake();
    client.give(take(server));
    if (s != TlsError::None && s != TlsError::WantRead && s != TlsError::WantWrite) return false;
    if (client_done && s == TlsError::None) return true;
  }
  return false;
}

// The same handshake bytes cut into records carrying `size` bytes each.
std::vector<std::uint8_t> refragment(std::span<const std::uint8_t> records, std::size_t size) {
  std::vector<std::uint8_t> out;
  while (records.size() >= 5) {
    const std::size_t length = std::size_t{records[3]} << 8 | records[4];
    const std::span<const std::uint8_t> body = records.subspan(5, length);
    for (std::size_t at = 0; at < body.size(); at += size) {
      const std::size_t n = std::min(size, body.size() - at);
      out.insert(out.end(), {records[0], records[1], records[2], std::uint8_t(n >> 8), std::uint8_t(n)});
      out.insert(out.end(), body.begin() + static_cast<std::ptrdiff_t>(at),
                 body.begin() + static_cast<std::ptrdiff_t>(at + n));
    }
    records = records.subspan(5 + length);
  }
  return out;
}

class ClientHelloGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& c = credentials();
    ASSERT_FALSE(c.chain.empty());
    auto made = TlsServerConfig::create(bytes(c.chain), bytes(c.leaf_key));
    ASSERT_TRUE(made.ok());
    server = made.value;
  }
  TlsServerConfig server;
};

TEST_F(ClientHelloGuardTest, AClientHelloInOneByteRecordsStillConnects) {
  RawClient client(nullptr, nullptr, TLS1_3_VERSION);
  client.step();
  const std::vector<std::uint8_t> hello = refragment(client.take(), 1);
  TlsEngine s(server);
  s.feed(hello);
  ASSERT_EQ(s.handshake(), TlsError::WantRead) << describe(s.error());
  client.give(take(s));
  EXPECT_TRUE(connect(client, s)) << describe(s.error());
  EXPECT_EQ(s.protocol(), TlsVersion::Tls13);
}

TEST_F(ClientHelloGuardTest, AnOversizedHeaderSplitOverRecordsIsRefused) {
  TlsEngine s(server);
  const std::uint8_t split[] = {22, 3, 1, 0, 1, 1, 22, 3, 1, 0, 3, 0x01, 0x00, 0x00};
  s.feed(split);
  EXPECT_EQ(s.handshake(), TlsError::HandshakeFailed);
  const std::vector<std::uint8_t> alert = take(s);
  EXPECT_EQ(alert, (std::vector<std::uint8_t>{21, 3, 3, 0, 2, 2, 40}));
}

// The client's key share is for a group the server does not take (P-521): the server asks again
// (HelloRetryRequest), and the second ClientHello is checked too.
TEST_F(ClientHelloGuardTest, TheClientHelloAfterAHelloRetryRequestIsCheckedToo) {
  {
    RawClient client("P-521:X25519", nullptr, TLS1_3_VERSION);
    TlsEngine s(server);
    EXPECT_TRUE(connect(client, s)) << describe(s.error());  // the retry itself works
    EXPECT_EQ(s.protocol(), TlsVersion::Tls13);
  }
  RawClient client("P-521:X25519", nullptr, TLS1_3_VERSION);
  client.step();
  TlsEngine s(server);
  s.feed(client.take());
  ASSERT_EQ(s.handshake(), TlsError::WantRead);
  const std::vector<std::uint8_t> retry = take(s);
  ASSERT_GT(retry.size(), 40u);
  // A plaintext ServerHello whose random is the HelloRetryRequest constant (RFC 8446 4.1.3).
  EXPECT_EQ(retry[0], 22);
  EXPECT_EQ(std::vector<std::uint8_t>(retry.begin() + 11, retry.begin() + 15),
            (std::vector<std::uint8_t>{0xcf, 0x21, 0xad, 0x74}));
  // The compatibility ChangeCipherSpec, then a second ClientHello announcing 100 000 bytes.
  const std::uint8_t second[] = {20, 3, 3, 0, 1, 1, 22, 3, 3, 0x40, 0x00, 1, 0x01, 0x86, 0xa0};
  s.feed(second);
  EXPECT_EQ(s.handshake(), TlsError::HandshakeFailed);
  EXPECT_NE(s.library_error(), 0);
}

// On TLS 1.2 the client's Finished is encrypted inside a handshake-type record after its
// ChangeCipherSpec; with ChaCha20 its first bytes are random, and must not be read as a header.
TEST_F(ClientHelloGuardTest, Tls12EncryptedFinishedIsNotMistakenForAClientHello) {
  for (int i = 0; i < 300; ++i) {
    RawClient client(nullptr, "ECDHE-ECDSA-CHACHA20-POLY1305", TLS1_2_VERSION);
    TlsEngine s(server);
    ASSERT_TRUE(connect(client, s)) << i << ": " << describe(s.error());
    ASSERT_EQ(s.protocol(), TlsVersion::Tls12);
    ASSERT_EQ(std::string(s.ciphersuite()), "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
  }
}

}  // namespace
}  // namespace corokit::tls
