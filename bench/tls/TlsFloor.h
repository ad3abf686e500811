// The floors of the TLS benchmark, written once per backend with that backend's own library
// (OpensslFloor.cpp, MbedtlsFloor.cpp): what a session cannot do with less work.
#pragma once

#include <benchmark/benchmark.h>

namespace corokit::bench::tls {

// One 16 KiB record size, the bulk size and the plaintext every throughput benchmark sends.
inline constexpr std::size_t kRecord = 16384;
inline constexpr std::size_t kBulk = 1 << 20;

// Raw AES-128-GCM (the suite the sessions negotiate) over kBulk bytes in kRecord pieces, each with
// its own nonce and 16-byte tag, into one output buffer.
void Encrypt_RawGcm(benchmark::State& state);

// The public-key operations of one full handshake, both sides, with the test credentials' P-256
// key: an X25519 key pair and shared secret per side, the server's ECDSA signature, and the
// client's two verifications (the handshake signature and the certificate's).
void Handshake_PublicKeyOps(benchmark::State& state);

}  // namespace corokit::bench::tls
