#include <cstring>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "bench/tls/TlsFloor.h"
#include "tests/tls/FixedCredentials.h"

namespace corokit::bench::tls {
namespace {

std::vector<std::uint8_t> plaintext() {
  std::vector<std::uint8_t> bytes(kBulk);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 131 + (i >> 9));
  return bytes;
}

EVP_PKEY* x25519_pair() { return EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"); }

bool derive(EVP_PKEY* own, EVP_PKEY* peer, unsigned char* secret) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(own, nullptr);
  std::size_t length = 32;
  const bool ok = ctx != nullptr && EVP_PKEY_derive_init(ctx) == 1 && EVP_PKEY_derive_set_peer(ctx, peer) == 1 &&
                  EVP_PKEY_derive(ctx, secret, &length) == 1;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

}  // namespace

void Encrypt_RawGcm(benchmark::State& state) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const unsigned char key[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key, nullptr);
  const std::vector<std::uint8_t> data = plaintext();
  std::vector<std::uint8_t> out(kRecord);
  unsigned char iv[12] = {};
  unsigned char aad[13] = {};
  unsigned char tag[16];
  std::uint64_t counter = 0;
  for (auto _ : state) {
    for (std::size_t off = 0; off < data.size(); off += kRecord) {
      std::memcpy(iv + 4, &++counter, sizeof counter);
      int n = 0;
      EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
      EVP_EncryptUpdate(ctx, nullptr, &n, aad, sizeof aad);
      EVP_EncryptUpdate(ctx, out.data(), &n, data.data() + off, static_cast<int>(kRecord));
      EVP_EncryptFinal_ex(ctx, out.data() + n, &n);
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, sizeof tag, tag);
      benchmark::DoNotOptimize(out.data());
    }
  }
  EVP_CIPHER_CTX_free(ctx);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBulk));
}
BENCHMARK(Encrypt_RawGcm)->Unit(benchmark::kMicrosecond);

void Handshake_PublicKeyOps(benchmark::State& state) {
  BIO* bio = BIO_new_mem_buf(corokit::tls::testing::kFixedLeafKey, -1);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  bio = BIO_new_mem_buf(corokit::tls::testing::kFixedLeaf, -1);
  X509* leaf = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr || leaf == nullptr) {
    state.SkipWithError("test credentials did not parse");
    return;
  }
  EVP_PKEY* public_key = X509_get0_pubkey(leaf);
  const unsigned char transcript[130] = {7};  // what a CertificateVerify signs, in size
  unsigned char signature[80];
  unsigned char secret[32];
  for (auto _ : state) {
    EVP_PKEY* client_share = x25519_pair();
    EVP_PKEY* server_share = x25519_pair();
    bool ok = derive(server_share, client_share, secret) && derive(client_share, server_share, secret);
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t length = sizeof signature;
    ok = ok && EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key) == 1 &&
         EVP_DigestSign(md, signature, &length, transcript, sizeof transcript) == 1;
    for (int i = 0; i < 2 && ok; ++i) {  // the handshake signature, then the CA's on the certificate
      EVP_MD_CTX_reset(md);
      ok = EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, public_key) == 1 &&
           EVP_DigestVerify(md, signature, length, transcript, sizeof transcript) == 1;
    }
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(client_share);
    EVP_PKEY_free(server_share);
    if (!ok) {
      state.SkipWithError("a public-key operation failed");
      break;
    }
  }
  X509_free(leaf);
  EVP_PKEY_free(key);
}
BENCHMARK(Handshake_PublicKeyOps)->Unit(benchmark::kMicrosecond);

}  // namespace corokit::bench::tls
