// A TLS session driven entirely through memory: it does no I/O of its own. The caller puts the
// ciphertext it received into the engine (input_space() + commit_input(), or feed()), takes the
// ciphertext to send out of it (pending_output() + consume_output()), and reads and writes
// plaintext. TlsStream.h runs this loop over a coroutine transport.
//
// After every call, send what pending_output() holds (also after a fatal error: it may hold the
// alert). WantRead: feed more ciphertext. WantWrite: send pending output and call again.
//
// Memory is bounded: each session owns two fixed ciphertext buffers (kInputCapacity,
// kOutputCapacity) besides the TLS library's own record buffers (docs/tls.md gives the total per
// backend). Records of any size work: reads may be larger or smaller than a record, and write()
// takes one record per call, so a caller loops over megabytes.
//
// The backend (OpenSSL 3.0 or mbedTLS 2.28) is chosen when the project is configured; this
// interface is the same for both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "pds/tls/TlsConfig.h"
#include "pds/tls/TlsError.h"
#include "pds/tls/TlsVersion.h"

namespace corokit::tls {

class TlsEngine {
 public:
  // Ciphertext staging buffers: a full record (16 KiB of plaintext plus AEAD expansion) fits in each.
  static constexpr std::size_t kInputCapacity = 17 * 1024;
  static constexpr std::size_t kOutputCapacity = 17 * 1024;

  // A session that has failed (NoConfig); every call reports it.
  TlsEngine() noexcept;
  // A server session sharing `config`.
  explicit TlsEngine(const TlsServerConfig& config) noexcept;
  // A client session verifying the server against `config` and `server_name` (also sent as SNI).
  TlsEngine(const TlsClientConfig& config, const char* server_name) noexcept;
  TlsEngine(TlsEngine&&) noexcept;
  TlsEngine& operator=(TlsEngine&&) noexcept;
  ~TlsEngine();

  // --- ciphertext in ---
  // Free room for received ciphertext (empty when the engine must process what it holds first).
  std::span<std::uint8_t> input_space() noexcept;
  // Accepts `bytes` written at the start of input_space().
  void commit_input(std::size_t bytes) noexcept;
  // Copies as much of `ciphertext` as fits; returns the bytes taken.
  std::size_t feed(std::span<const std::uint8_t> ciphertext) noexcept;

  // --- ciphertext out ---
  // Bytes to send, valid until the next call other than consume_output().
  std::span<const std::uint8_t> pending_output() const noexcept;
  void consume_output(std::size_t bytes) noexcept;

  // --- the session ---
  // Advances the handshake: None once it is complete, WantRead/WantWrite, or a fatal error.
  TlsError handshake() noexcept;
  // Plaintext received: bytes copied (at least 1 for a non-empty buffer), Closed after the peer's
  // close_notify, WantRead, or a fatal error. Runs the handshake first if needed.
  TlsResult<std::size_t> read(std::span<std::uint8_t> plaintext) noexcept;
  // Encrypts one record of `plaintext` (its first 16 KiB, or all of it if less): bytes taken, or
  // WantWrite when the output buffer cannot hold that record yet (an empty one always can), or an
  // error. After WantWrite, send pending output and call again with the same bytes (more may
  // follow them), as TlsStream does.
  TlsResult<std::size_t> write(std::span<const std::uint8_t> plaintext) noexcept;
  // Queues close_notify (once; later calls return None). WantWrite: send output and call again.
  // Before the handshake has finished there is nothing to close: it only stops further writes.
  TlsError close() noexcept;

  bool established() const noexcept;
  bool peer_closed() const noexcept;
  // The first fatal error (sticky), None while healthy.
  TlsError error() const noexcept;
  // The TLS library's own code for that error, 0 if none: for logs. mbedTLS: its negative error
  // code; OpenSSL: the packed ERR code (ERR_error_string() spells it out).
  long library_error() const noexcept;
  // The negotiated version, None before the handshake has finished.
  TlsVersion protocol() const noexcept;
  // The negotiated suite by its IANA name ("TLS_AES_128_GCM_SHA256",
  // "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"), or "" before the handshake has finished.
  const char* ciphersuite() const noexcept;

 private:
  struct Session;
  std::unique_ptr<Session> session_;
};

}  // namespace corokit::tls
