// TLS bulk throughput (BENCHMARKS.md): a megabyte of plaintext through an established server
// session, ciphertext taken as if sent, against the floor of raw mbedTLS AES-128-GCM over the same
// bytes in the same record-sized pieces (the suite the session negotiates). Also the end-to-end
// pair (server encrypts, client decrypts) and the heap an established session holds.
#include <malloc.h>

#include <cstring>
#include <vector>

#include <benchmark/benchmark.h>
#include <mbedtls/gcm.h>

#include "bench/support/RatioSummary.h"
#include "pds/tls/TlsConfig.h"
#include "pds/tls/TlsEngine.h"
#include "tests/tls/FixedCredentials.h"

namespace {

using corokit::tls::TlsClientConfig;
using corokit::tls::TlsEngine;
using corokit::tls::TlsError;
using corokit::tls::TlsServerConfig;

constexpr std::size_t kBulk = 1 << 20;
constexpr std::size_t kRecord = 16384;

std::span<const std::uint8_t> text(const char* s) {
  return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)};
}

struct Configs {
  TlsServerConfig server;
  TlsClientConfig client;
};

const Configs& configs() {
  static const Configs made = [] {
    Configs c;
    c.server = TlsServerConfig::create(text(corokit::tls::testing::kFixedLeaf),
                                       text(corokit::tls::testing::kFixedLeafKey)).value;
    c.client = TlsClientConfig::create(text(corokit::tls::testing::kFixedCa)).value;
    return c;
  }();
  return made;
}

void transfer(TlsEngine& from, TlsEngine& to) {
  for (std::span<const std::uint8_t> out; !(out = from.pending_output()).empty();) {
    const std::size_t n = to.feed(out);
    if (n == 0) return;
    from.consume_output(n);
  }
}

bool connect(TlsEngine& client, TlsEngine& server) {
  for (int i = 0; i < 32; ++i) {
    const TlsError c = client.handshake();
    const TlsError s = server.handshake();
    transfer(client, server);
    transfer(server, client);
    if (c == TlsError::None && s == TlsError::None) return true;
  }
  return false;
}

std::vector<std::uint8_t> plaintext() {
  std::vector<std::uint8_t> bytes(kBulk);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + (i >> 9));
  return bytes;
}

// Ours: the server side of a bulk send (encrypt into records, hand the ciphertext over).
void Encrypt_Tls(benchmark::State& state) {
  TlsEngine server(configs().server);
  TlsEngine client(configs().client, "localhost");
  if (!connect(client, server)) {
    state.SkipWithError("handshake failed");
    return;
  }
  const std::vector<std::uint8_t> data = plaintext();
  for (auto _ : state) {
    std::span<const std::uint8_t> rest(data);
    while (!rest.empty()) {
      const auto put = server.write(rest);
      if (put.ok()) {
        rest = rest.subspan(put.value);
      } else {
        benchmark::DoNotOptimize(server.pending_output().data());
        server.consume_output(server.pending_output().size());  // "sent"
      }
    }
    server.consume_output(server.pending_output().size());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBulk));
  state.SetLabel(server.ciphersuite());
}
BENCHMARK(Encrypt_Tls)->Unit(benchmark::kMicrosecond);

// Floor: raw AES-128-GCM over the same bytes, one 16 KiB record at a time, into one output buffer.
void Encrypt_RawGcm(benchmark::State& state) {
  mbedtls_gcm_context gcm;
  mbedtls_gcm_init(&gcm);
  const unsigned char key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 128);
  const std::vector<std::uint8_t> data = plaintext();
  std::vector<std::uint8_t> out(kRecord);
  unsigned char iv[12] = {};
  unsigned char aad[13] = {};
  unsigned char tag[16];
  std::uint64_t counter = 0;
  for (auto _ : state) {
    for (std::size_t off = 0; off < data.size(); off += kRecord) {
      std::memcpy(iv + 4, &++counter, sizeof counter);
      mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, kRecord, iv, sizeof iv, aad, sizeof aad,
                                data.data() + off, out.data(), sizeof tag, tag);
      benchmark::DoNotOptimize(out.data());
    }
  }
  mbedtls_gcm_free(&gcm);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBulk));
}
BENCHMARK(Encrypt_RawGcm)->Unit(benchmark::kMicrosecond);

// End to end: the client decrypts what the server sent.
void ServerToClient_Tls(benchmark::State& state) {
  TlsEngine server(configs().server);
  TlsEngine client(configs().client, "localhost");
  if (!connect(client, server)) {
    state.SkipWithError("handshake failed");
    return;
  }
  const std::vector<std::uint8_t> data = plaintext();
  std::vector<std::uint8_t> received(64 * 1024);
  for (auto _ : state) {
    std::span<const std::uint8_t> rest(data);
    std::size_t got = 0;
    while (got < kBulk) {
      if (!rest.empty()) {
        const auto put = server.write(rest);
        if (put.ok()) rest = rest.subspan(put.value);
      }
      transfer(server, client);
      for (;;) {
        const auto r = client.read(received);
        if (!r.ok()) break;
        got += r.value;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBulk));
}
BENCHMARK(ServerToClient_Tls)->Unit(benchmark::kMicrosecond);

// Heap held by an established server session (mbedTLS's record buffers and ours), measured with
// glibc's allocator statistics over many sessions.
void SessionMemory_Tls(benchmark::State& state) {
  constexpr int kSessions = 32;
  double per_session = 0;
  for (auto _ : state) {
    std::vector<TlsEngine> servers;
    servers.reserve(kSessions);
    const std::size_t before = mallinfo2().uordblks;
    for (int i = 0; i < kSessions; ++i) {
      servers.emplace_back(configs().server);
      TlsEngine client(configs().client, "localhost");  // freed again before the count
      if (!connect(client, servers.back())) state.SkipWithError("handshake failed");
    }
    per_session = static_cast<double>(mallinfo2().uordblks - before) / kSessions;
  }
  state.counters["bytes_per_session"] = per_session;
}
BENCHMARK(SessionMemory_Tls)->Iterations(1)->Unit(benchmark::kMillisecond);

void summarise(const corokit::bench::Results& r, corokit::bench::RatioTable& t) {
  using corokit::bench::format_ns;
  t.lower_is_better("TLS server encrypt 1 MiB vs raw AES-128-GCM", r.ns("Encrypt_Tls"), r.ns("Encrypt_RawGcm"), 1.5,
                    "raw GCM");
  if (r.has("ServerToClient_Tls")) {
    t.info("TLS server->client 1 MiB (encrypt + decrypt) vs raw GCM", format_ns(r.ns("ServerToClient_Tls")),
           format_ns(r.ns("Encrypt_RawGcm")) + " raw GCM", r.ns("ServerToClient_Tls") / r.ns("Encrypt_RawGcm"));
  }
  if (r.has("SessionMemory_Tls")) {
    t.at_most("heap per established server session", r.counter("SessionMemory_Tls", "bytes_per_session"),
              80 * 1024, "bytes");
  }
}

}  // namespace

int main(int argc, char** argv) {
  return corokit::bench::run_suite(argc, argv, "tls", summarise);
}
