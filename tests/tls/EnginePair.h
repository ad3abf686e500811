// Drives a client and a server TlsEngine against each other in memory, synchronously.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "pds/tls/TlsEngine.h"

namespace corokit::tls::testing {

// Moves pending ciphertext from `from` into `to` as far as `to` takes it; returns the bytes moved.
std::size_t transfer(TlsEngine& from, TlsEngine& to);

// Runs both handshakes until both finish or one fails (or nothing moves); returns the server's
// result (the client's is `client.error()`).
TlsError handshake(TlsEngine& client, TlsEngine& server);

// Sends `data` from `writer` to `reader`, reading with a buffer of `read_chunk` bytes; returns
// what the reader got. Stops at the first error (recorded with ADD_FAILURE).
std::vector<std::uint8_t> send(TlsEngine& writer, TlsEngine& reader, std::span<const std::uint8_t> data,
                               std::size_t read_chunk);

// Deterministic bytes that differ at every offset of a record.
std::vector<std::uint8_t> pattern(std::size_t size, std::uint32_t seed);

}  // namespace corokit::tls::testing
