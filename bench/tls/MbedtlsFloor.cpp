#include <cstring>
#include <vector>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#include "bench/tls/TlsFloor.h"
#include "tests/tls/FixedCredentials.h"

namespace corokit::bench::tls {
namespace {

std::vector<std::uint8_t> plaintext() {
  std::vector<std::uint8_t> bytes(kBulk);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + (i >> 9));
  return bytes;
}

const unsigned char* pem(const char* text) { return reinterpret_cast<const unsigned char*>(text); }

}  // namespace

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

void Handshake_PublicKeyOps(benchmark::State& state) {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_pk_context key;
  mbedtls_x509_crt leaf;
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_pk_init(&key);
  mbedtls_x509_crt_init(&leaf);
  mbedtls_ecp_group x25519;
  mbedtls_ecp_group_init(&x25519);
  const bool ready =
      mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0) == 0 &&
      mbedtls_pk_parse_key(&key, pem(corokit::tls::testing::kFixedLeafKey),
                           std::strlen(corokit::tls::testing::kFixedLeafKey) + 1, nullptr, 0) == 0 &&
      mbedtls_x509_crt_parse(&leaf, pem(corokit::tls::testing::kFixedLeaf), std::strlen(corokit::tls::testing::kFixedLeaf) + 1) == 0 &&
      mbedtls_ecp_group_load(&x25519, MBEDTLS_ECP_DP_CURVE25519) == 0;
  if (!ready) state.SkipWithError("test credentials did not parse");
  unsigned char hash[32];
  const unsigned char transcript[130] = {7};
  mbedtls_sha256_ret(transcript, sizeof transcript, hash, 0);
  unsigned char signature[MBEDTLS_PK_SIGNATURE_MAX_SIZE];
  for (auto _ : state) {
    if (!ready) break;
    mbedtls_mpi client_d, server_d, secret;
    mbedtls_ecp_point client_q, server_q;
    mbedtls_mpi_init(&client_d);
    mbedtls_mpi_init(&server_d);
    mbedtls_mpi_init(&secret);
    mbedtls_ecp_point_init(&client_q);
    mbedtls_ecp_point_init(&server_q);
    bool ok = mbedtls_ecp_gen_keypair(&x25519, &client_d, &client_q, mbedtls_ctr_drbg_random, &drbg) == 0 &&
              mbedtls_ecp_gen_keypair(&x25519, &server_d, &server_q, mbedtls_ctr_drbg_random, &drbg) == 0 &&
              mbedtls_ecdh_compute_shared(&x25519, &secret, &client_q, &server_d, mbedtls_ctr_drbg_random, &drbg) == 0 &&
              mbedtls_ecdh_compute_shared(&x25519, &secret, &server_q, &client_d, mbedtls_ctr_drbg_random, &drbg) == 0;
    std::size_t length = 0;
    ok = ok && mbedtls_pk_sign(&key, MBEDTLS_MD_SHA256, hash, sizeof hash, signature, &length, mbedtls_ctr_drbg_random,
                               &drbg) == 0;
    for (int i = 0; i < 2 && ok; ++i) {  // the handshake signature, then the CA's on the certificate
      ok = mbedtls_pk_verify(&leaf.pk, MBEDTLS_MD_SHA256, hash, sizeof hash, signature, length) == 0;
    }
    mbedtls_ecp_point_free(&server_q);
    mbedtls_ecp_point_free(&client_q);
    mbedtls_mpi_free(&secret);
    mbedtls_mpi_free(&server_d);
    mbedtls_mpi_free(&client_d);
    if (!ok) {
      state.SkipWithError("a public-key operation failed");
      break;
    }
  }
  mbedtls_ecp_group_free(&x25519);
  mbedtls_x509_crt_free(&leaf);
  mbedtls_pk_free(&key);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
}
BENCHMARK(Handshake_PublicKeyOps)->Unit(benchmark::kMicrosecond);

}  // namespace corokit::bench::tls
