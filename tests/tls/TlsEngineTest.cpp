#include <algorithm>
#include <cstring>
#include <ostream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "pds/tls/TlsConfig.h"
#include "pds/tls/TlsEngine.h"
#include "tests/tls/EnginePair.h"
#include "tests/tls/TestCredentials.h"

namespace corokit::tls {

// For gtest's test names and messages ("TLSv1.3" instead of a byte dump); found by ADL.
void PrintTo(TlsVersion version, std::ostream* out) { *out << (version == TlsVersion::None ? "none" : to_string(version)); }

namespace {

using testing::bytes;
using testing::credentials;
using testing::pattern;

TlsServerConfig server_config(const std::string& chain, const std::string& key, TlsVersions versions = {}) {
  TlsResult<TlsServerConfig> made = TlsServerConfig::create(bytes(chain), bytes(key), versions);
  EXPECT_EQ(made.error, TlsError::None) << describe(made.error);
  return made.value;
}

TlsClientConfig client_config(const std::string& ca, TlsVersions versions = {}) {
  TlsResult<TlsClientConfig> made = TlsClientConfig::create(bytes(ca), versions);
  EXPECT_EQ(made.error, TlsError::None) << describe(made.error);
  return made.value;
}

class TlsEngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& c = credentials();
    ASSERT_FALSE(c.chain.empty());
    server = server_config(c.chain, c.leaf_key);
    client = client_config(c.ca);
  }

  TlsServerConfig server;
  TlsClientConfig client;
};

constexpr TlsVersions kOnly12{TlsVersion::Tls12, TlsVersion::Tls12};
constexpr TlsVersions kOnly13{TlsVersion::Tls13, TlsVersion::Tls13};

bool aead(const std::string& suite) {
  return suite.find("_GCM_") != std::string::npos || suite.find("_CHACHA20_POLY1305_") != std::string::npos;
}

TEST_F(TlsEngineTest, HandshakeNegotiatesTheNewestVersionWithAnAeadSuite) {
  TlsEngine s(server);
  TlsEngine c(client, "localhost");
  EXPECT_FALSE(s.established());
  EXPECT_STREQ(s.ciphersuite(), "");
  EXPECT_EQ(s.protocol(), TlsVersion::None);
  ASSERT_EQ(testing::handshake(c, s), TlsError::None) << describe(s.error()) << " / " << describe(c.error());
  EXPECT_TRUE(s.established());
  EXPECT_TRUE(c.established());
  EXPECT_EQ(s.protocol(), highest_version()) << backend_name();
  EXPECT_EQ(c.protocol(), s.protocol());
  EXPECT_STREQ(s.ciphersuite(), c.ciphersuite());
  const std::string suite = s.ciphersuite();
  if (s.protocol() == TlsVersion::Tls13) {
    EXPECT_EQ(suite, "TLS_AES_128_GCM_SHA256");  // the server's first choice
  } else {
    EXPECT_EQ(suite.rfind("TLS_ECDHE_ECDSA_WITH_", 0), 0u) << suite;
  }
  EXPECT_TRUE(aead(suite)) << suite;
}

TEST_F(TlsEngineTest, Tls12ClientStillConnects) {
  TlsEngine s(server);
  TlsEngine c(client_config(credentials().ca, kOnly12), "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None) << describe(s.error()) << " / " << describe(c.error());
  EXPECT_EQ(s.protocol(), TlsVersion::Tls12);
  EXPECT_EQ(c.protocol(), TlsVersion::Tls12);
  const std::string suite = s.ciphersuite();
  EXPECT_EQ(suite, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  const std::vector<std::uint8_t> data = pattern(40000, 9);
  EXPECT_EQ(testing::send(s, c, data, 5000), data);
}

TEST_F(TlsEngineTest, Tls13OnlyWhereTheBackendHasIt) {
  const auto& cr = credentials();
  if (highest_version() != TlsVersion::Tls13) {
    EXPECT_EQ(TlsClientConfig::create(bytes(cr.ca), kOnly13).error, TlsError::Unsupported);
    EXPECT_EQ(TlsServerConfig::create(bytes(cr.chain), bytes(cr.leaf_key), kOnly13).error, TlsError::Unsupported);
    return;
  }
  TlsEngine s(server);
  TlsEngine c(client_config(cr.ca, kOnly13), "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None) << describe(s.error()) << " / " << describe(c.error());
  EXPECT_EQ(s.protocol(), TlsVersion::Tls13);
  // A server that insists on 1.3 turns a 1.2-only client away.
  TlsEngine strict(server_config(cr.chain, cr.leaf_key, kOnly13));
  TlsEngine old(client_config(cr.ca, kOnly12), "localhost");
  EXPECT_NE(testing::handshake(old, strict), TlsError::None);
  EXPECT_EQ(strict.error(), TlsError::HandshakeFailed) << describe(strict.error());
  EXPECT_NE(old.error(), TlsError::None);
  EXPECT_FALSE(old.established());
}

TEST_F(TlsEngineTest, VersionRangesAreChecked) {
  const auto& cr = credentials();
  EXPECT_EQ(TlsClientConfig::create(bytes(cr.ca), {TlsVersion::Tls13, TlsVersion::Tls12}).error, TlsError::Unsupported);
  EXPECT_EQ(TlsClientConfig::create(bytes(cr.ca), {TlsVersion::None, TlsVersion::Tls12}).error, TlsError::Unsupported);
  EXPECT_EQ(TlsServerConfig::create(bytes(cr.chain), bytes(cr.leaf_key), {TlsVersion::Tls12, TlsVersion::None}).error,
            TlsError::Unsupported);
  EXPECT_STREQ(to_string(TlsVersion::Tls13), "TLSv1.3");
  EXPECT_STREQ(to_string(TlsVersion::Tls12), "TLSv1.2");
  EXPECT_NE(std::string(backend_name()), "");
}

TEST_F(TlsEngineTest, RsaCertificateUsesEcdheRsa) {
  const TlsServerConfig rsa = server_config(credentials().rsa_leaf, credentials().rsa_key);
  TlsEngine s(rsa);
  TlsEngine c(client, "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None) << describe(s.error()) << " / " << describe(c.error());
  EXPECT_EQ(s.protocol(), highest_version());
  // TLS 1.3 suites do not name the key exchange; on 1.2 it shows.
  TlsEngine s12(rsa);
  TlsEngine c12(client_config(credentials().ca, kOnly12), "localhost");
  ASSERT_EQ(testing::handshake(c12, s12), TlsError::None) << describe(s12.error()) << " / " << describe(c12.error());
  EXPECT_EQ(std::string(s12.ciphersuite()).rfind("TLS_ECDHE_RSA_WITH_", 0), 0u) << s12.ciphersuite();
}

// Sizes around a record's 16 KiB, with the newest version and with TLS 1.2.
class TlsEngineSizes : public TlsEngineTest,
                       public ::testing::WithParamInterface<std::tuple<std::size_t, TlsVersion>> {};

TEST_P(TlsEngineSizes, DataBothWaysArrivesIntact) {
  const auto [size, version] = GetParam();
  TlsEngine s(server);
  TlsEngine c(client_config(credentials().ca, {TlsVersion::Tls12, version}), "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None);
  EXPECT_EQ(s.protocol(), std::min(version, highest_version()));
  const std::vector<std::uint8_t> up = pattern(size, 1);
  const std::vector<std::uint8_t> down = pattern(size, 2);
  // Reads smaller than a record and larger than one.
  EXPECT_EQ(testing::send(c, s, up, 1000), up);
  EXPECT_EQ(testing::send(s, c, down, 64 * 1024), down);
  if (size <= 16385) {
    EXPECT_EQ(testing::send(c, s, down, 1), down);  // byte by byte
  }
  // Nothing more is pending on either side.
  std::uint8_t byte;
  EXPECT_EQ(s.read({&byte, 1}).error, TlsError::WantRead);
  EXPECT_EQ(c.read({&byte, 1}).error, TlsError::WantRead);
}

INSTANTIATE_TEST_SUITE_P(Sizes, TlsEngineSizes,
                         ::testing::Combine(::testing::Values(0, 1, 16383, 16384, 16385, 1 << 20),
                                            ::testing::Values(TlsVersion::Tls12, TlsVersion::Tls13)),
                         [](const auto& info) {
                           return std::to_string(std::get<0>(info.param)) +
                                  (std::get<1>(info.param) == TlsVersion::Tls13 ? "_Newest" : "_Tls12");
                         });

TEST_F(TlsEngineTest, WriteTakesOneFullRecordAndWaitsForRoomForTheNext) {
  TlsEngine s(server);
  TlsEngine c(client, "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None);
  const std::vector<std::uint8_t> data = pattern(64 * 1024, 3);
  const TlsResult<std::size_t> first = s.write(data);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value, 16384u);
  EXPECT_LE(s.pending_output().size(), TlsEngine::kOutputCapacity);
  // The rest of the buffer cannot hold another full record: no small record to fill it.
  EXPECT_EQ(s.write(std::span(data).subspan(first.value)).error, TlsError::WantWrite);
  EXPECT_EQ(s.error(), TlsError::None);
  // Once sent, the next record fits.
  std::vector<std::uint8_t> wire(s.pending_output().begin(), s.pending_output().end());
  s.consume_output(wire.size());
  EXPECT_EQ(s.write(std::span(data).subspan(first.value)).value, 16384u);
}

// A megabyte goes out as 64 full records, however the caller drains the output.
TEST_F(TlsEngineTest, BulkDataLeavesInFullRecords) {
  TlsEngine s(server);
  TlsEngine c(client, "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None);
  const std::vector<std::uint8_t> data = pattern(1 << 20, 6);
  std::vector<std::uint8_t> wire;
  std::span<const std::uint8_t> rest(data);
  while (!rest.empty()) {
    const TlsResult<std::size_t> put = s.write(rest);
    if (put.ok()) {
      rest = rest.subspan(put.value);
      continue;
    }
    ASSERT_EQ(put.error, TlsError::WantWrite);
    // Drain only part of the output: what is left must not cut the next record short.
    const std::span<const std::uint8_t> out = s.pending_output();
    const std::size_t n = std::max<std::size_t>(1, out.size() / 3);
    wire.insert(wire.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
    s.consume_output(n);
  }
  wire.insert(wire.end(), s.pending_output().begin(), s.pending_output().end());
  std::size_t records = 0;
  for (std::size_t at = 0; at + 5 <= wire.size(); ++records) {
    const std::size_t length = std::size_t{wire[at + 3]} << 8 | wire[at + 4];
    EXPECT_EQ(wire[at], 23) << "record " << records;  // application data
    EXPECT_GT(length, 16384u) << "record " << records;  // a full record and its AEAD expansion
    at += 5 + length;
  }
  EXPECT_EQ(records, 64u);
  // And it decrypts to the data.
  std::vector<std::uint8_t> received;
  std::vector<std::uint8_t> buffer(20000);
  for (std::span<const std::uint8_t> in(wire); !in.empty() || received.size() < data.size();) {
    in = in.subspan(c.feed(in));
    const TlsResult<std::size_t> got = c.read(buffer);
    if (!got.ok()) {
      ASSERT_EQ(got.error, TlsError::WantRead);
      ASSERT_FALSE(in.empty());
      continue;
    }
    received.insert(received.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got.value));
  }
  EXPECT_EQ(received, data);
}

TEST_F(TlsEngineTest, CloseNotifyEndsTheStream) {
  TlsEngine s(server);
  TlsEngine c(client, "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None);
  const std::vector<std::uint8_t> last = pattern(100, 4);
  ASSERT_TRUE(c.write(last).ok());
  ASSERT_EQ(c.close(), TlsError::None);
  EXPECT_EQ(c.close(), TlsError::None);  // once
  EXPECT_EQ(c.write(last).error, TlsError::NotReady);
  testing::transfer(c, s);
  std::vector<std::uint8_t> buffer(200);
  const TlsResult<std::size_t> data = s.read(buffer);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data.value, last.size());
  EXPECT_EQ(s.read(buffer).error, TlsError::Closed);
  EXPECT_TRUE(s.peer_closed());
  EXPECT_EQ(s.read(buffer).error, TlsError::Closed);
  EXPECT_EQ(s.error(), TlsError::None);
  // The server may still answer, then close too.
  ASSERT_EQ(s.close(), TlsError::None);
  testing::transfer(s, c);
  EXPECT_EQ(c.read(buffer).error, TlsError::Closed);
}

TEST_F(TlsEngineTest, ConfigErrorsAreClear) {
  const auto& c = credentials();
  const std::string garbage = "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n";
  EXPECT_EQ(TlsServerConfig::create({}, bytes(c.leaf_key)).error, TlsError::BadCertificate);
  EXPECT_EQ(TlsServerConfig::create(bytes(garbage), bytes(c.leaf_key)).error, TlsError::BadCertificate);
  EXPECT_EQ(TlsServerConfig::create(bytes(c.leaf_key), bytes(c.leaf_key)).error, TlsError::BadCertificate);
  EXPECT_EQ(TlsServerConfig::create(bytes(c.chain), {}).error, TlsError::BadKey);
  EXPECT_EQ(TlsServerConfig::create(bytes(c.chain), bytes(c.leaf)).error, TlsError::BadKey);
  EXPECT_EQ(TlsServerConfig::create(bytes(c.chain), bytes(c.other_key)).error, TlsError::KeyMismatch);
  EXPECT_EQ(TlsServerConfig::create(bytes(c.rsa_leaf), bytes(c.leaf_key)).error, TlsError::KeyMismatch);
  EXPECT_EQ(TlsClientConfig::create(bytes(garbage)).error, TlsError::BadCertificate);
  // A NUL-terminated buffer is fine too.
  std::string terminated = c.chain;
  terminated.push_back('\0');
  EXPECT_TRUE(TlsServerConfig::create(bytes(terminated), bytes(c.leaf_key)).ok());
  EXPECT_STREQ(describe(TlsError::KeyMismatch), "private key does not match the certificate");
}

TEST_F(TlsEngineTest, EmptyConfigGivesNoConfig) {
  TlsEngine none;
  EXPECT_EQ(none.handshake(), TlsError::NoConfig);
  std::uint8_t byte = 0;
  EXPECT_EQ(none.read({&byte, 1}).error, TlsError::NoConfig);
  EXPECT_EQ(none.write({&byte, 1}).error, TlsError::NoConfig);
  EXPECT_EQ(none.feed({&byte, 1}), 0u);
  TlsEngine from_empty{TlsServerConfig{}};
  EXPECT_EQ(from_empty.handshake(), TlsError::NoConfig);
}

TEST_F(TlsEngineTest, UntrustedServerIsRejectedByTheClient) {
  TlsEngine s(server_config(credentials().other_leaf + credentials().other_ca, credentials().other_key));
  TlsEngine c(client, "localhost");
  testing::handshake(c, s);
  EXPECT_EQ(c.error(), TlsError::PeerVerifyFailed) << describe(c.error()) << " " << c.library_error();
  EXPECT_EQ(s.error(), TlsError::PeerAlert) << describe(s.error());
  EXPECT_FALSE(s.established());
}

TEST_F(TlsEngineTest, WrongServerNameIsRejected) {
  TlsEngine s(server);
  TlsEngine c(client, "example.org");
  testing::handshake(c, s);
  EXPECT_EQ(c.error(), TlsError::PeerVerifyFailed) << describe(c.error());
}

TEST_F(TlsEngineTest, GarbageBeforeTheHandshakeIsAnErrorNotACrash) {
  for (std::uint32_t seed = 0; seed < 64; ++seed) {
    TlsEngine s(server);
    const std::vector<std::uint8_t> noise = pattern(1 + seed * 37, seed);
    s.feed(noise);
    TlsError e = s.handshake();
    EXPECT_NE(e, TlsError::None);
    if (e != TlsError::WantRead) {
      EXPECT_EQ(e, s.error());
      EXPECT_NE(s.library_error(), 0);
    }
  }
  // A plausible record header announcing more than a record may hold.
  TlsEngine s(server);
  const std::uint8_t huge[] = {22, 3, 3, 0xff, 0xff, 1, 2, 3};
  s.feed(huge);
  EXPECT_EQ(s.handshake(), TlsError::HandshakeFailed);
  EXPECT_NE(s.library_error(), 0);
  EXPECT_EQ(s.handshake(), TlsError::HandshakeFailed);  // sticky
}

// A ClientHello announcing more than a record's 16 KiB is refused from its header on, before the
// library could allocate for it (OpenSSL would take up to 128 KiB per connection), also when the
// header is split over records (more: ClientHelloGuardTest).
TEST_F(TlsEngineTest, OversizedClientHelloIsRefusedFromItsHeader) {
  for (const std::uint32_t announced : {16u * 1024 + 1, 65536u, 131392u, 0xffffffu}) {
    TlsEngine s(server);
    std::vector<std::uint8_t> start = {22, 3, 1, 0x40, 0x00, 1, std::uint8_t(announced >> 16),
                                       std::uint8_t(announced >> 8), std::uint8_t(announced)};
    start.resize(5 + 0x4000, 0);
    s.feed(start);
    EXPECT_EQ(s.handshake(), TlsError::HandshakeFailed) << announced;
    EXPECT_NE(s.library_error(), 0);
  }
  TlsEngine split(server);
  const std::uint8_t tiny_records[] = {22, 3, 1, 0, 1, 1, 22, 3, 1, 0, 3, 0x01, 0x00, 0x00};
  split.feed(tiny_records);
  EXPECT_EQ(split.handshake(), TlsError::HandshakeFailed);
}

TEST_F(TlsEngineTest, TruncatedClientHelloWaitsForMore) {
  TlsEngine c(client, "localhost");
  ASSERT_EQ(c.handshake(), TlsError::WantRead);
  const std::vector<std::uint8_t> hello(c.pending_output().begin(), c.pending_output().end());
  ASSERT_GT(hello.size(), 10u);
  TlsEngine s(server);
  s.feed(std::span(hello).first(hello.size() / 2));
  EXPECT_EQ(s.handshake(), TlsError::WantRead);
  s.feed(std::span(hello).subspan(hello.size() / 2));
  EXPECT_EQ(s.handshake(), TlsError::WantRead);  // its flight is out, waiting for the client's
  EXPECT_FALSE(s.pending_output().empty());
}

TEST_F(TlsEngineTest, TamperedRecordIsRejected) {
  TlsEngine s(server);
  TlsEngine c(client, "localhost");
  ASSERT_EQ(testing::handshake(c, s), TlsError::None);
  const std::vector<std::uint8_t> data = pattern(300, 5);
  ASSERT_TRUE(c.write(data).ok());
  std::vector<std::uint8_t> record(c.pending_output().begin(), c.pending_output().end());
  c.consume_output(record.size());
  record[record.size() / 2] ^= 1;
  s.feed(record);
  std::vector<std::uint8_t> buffer(1000);
  EXPECT_EQ(s.read(buffer).error, TlsError::BadRecord);
  EXPECT_EQ(s.error(), TlsError::BadRecord);
  EXPECT_EQ(s.write(data).error, TlsError::BadRecord);  // sticky
}

TEST_F(TlsEngineTest, ManySessionsShareOneConfig) {
  constexpr int kSessions = 24;
  std::vector<TlsEngine> servers;
  std::vector<TlsEngine> clients;
  for (int i = 0; i < kSessions; ++i) {
    servers.emplace_back(server);
    clients.emplace_back(client, "localhost");
  }
  // Interleave the handshakes one step at a time.
  for (int round = 0; round < 16; ++round) {
    for (int i = 0; i < kSessions; ++i) {
      clients[i].handshake();
      servers[i].handshake();
      testing::transfer(clients[i], servers[i]);
      testing::transfer(servers[i], clients[i]);
    }
  }
  for (int i = 0; i < kSessions; ++i) {
    ASSERT_TRUE(servers[i].established()) << i << ": " << describe(servers[i].error());
    const std::vector<std::uint8_t> data = pattern(5000 + i, 100 + i);
    EXPECT_EQ(testing::send(servers[i], clients[i], data, 4096), data) << i;
  }
  TlsServerConfig copy = server;  // a copy shares the parsed state
  TlsEngine late(copy);
  TlsEngine late_client(client, "localhost");
  EXPECT_EQ(testing::handshake(late_client, late), TlsError::None);
}

TEST_F(TlsEngineTest, SessionsOutliveTheirConfigHandle) {
  TlsEngine s;
  {
    TlsServerConfig local = server_config(credentials().chain, credentials().leaf_key);
    s = TlsEngine(local);
  }
  TlsEngine c(client, "localhost");
  EXPECT_EQ(testing::handshake(c, s), TlsError::None);
}

}  // namespace
}  // namespace corokit::tls
