#include "tests/tls/EnginePair.h"

#include <gtest/gtest.h>

namespace corokit::tls::testing {

std::size_t transfer(TlsEngine& from, TlsEngine& to) {
  std::size_t moved = 0;
  for (;;) {
    const std::span<const std::uint8_t> out = from.pending_output();
    if (out.empty()) return moved;
    const std::size_t n = to.feed(out);
    if (n == 0) return moved;
    from.consume_output(n);
    moved += n;
  }
}

namespace {
bool fatal(TlsError e) { return e != TlsError::None && e != TlsError::WantRead && e != TlsError::WantWrite; }
}  // namespace

TlsError handshake(TlsEngine& client, TlsEngine& server) {
  for (int round = 0; round < 64; ++round) {
    const TlsError c = client.handshake();
    const TlsError s = server.handshake();
    const std::size_t moved = transfer(client, server) + transfer(server, client);
    if (fatal(s) || fatal(c)) {
      // Let the other side see the alert the failing one sent.
      if (!fatal(s)) server.handshake();
      if (!fatal(c)) client.handshake();
      transfer(client, server);
      transfer(server, client);
      return server.error();
    }
    if (c == TlsError::None && s == TlsError::None) return TlsError::None;
    if (moved == 0 && c == TlsError::WantRead && s == TlsError::WantRead) return TlsError::WantRead;
  }
  return TlsError::Internal;
}

std::vector<std::uint8_t> send(TlsEngine& writer, TlsEngine& reader, std::span<const std::uint8_t> data,
                               std::size_t read_chunk) {
  std::vector<std::uint8_t> received;
  std::vector<std::uint8_t> buffer(read_chunk);
  std::size_t sent = 0;
  while (received.size() < data.size()) {
    const std::size_t before = received.size() + sent;
    if (sent < data.size()) {
      const TlsResult<std::size_t> put = writer.write(data.subspan(sent));
      if (put.ok()) {
        sent += put.value;
      } else if (put.error != TlsError::WantWrite) {
        ADD_FAILURE() << "write: " << describe(put.error);
        return received;
      }
    }
    transfer(writer, reader);
    for (;;) {
      const TlsResult<std::size_t> got = reader.read(buffer);
      if (!got.ok()) {
        if (got.error != TlsError::WantRead) {
          ADD_FAILURE() << "read: " << describe(got.error);
          return received;
        }
        break;
      }
      received.insert(received.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(got.value));
    }
    if (received.size() + sent == before) {
      ADD_FAILURE() << "no progress after " << sent << " bytes sent, " << received.size() << " received";
      return received;
    }
  }
  return received;
}

std::vector<std::uint8_t> pattern(std::size_t size, std::uint32_t seed) {
  std::vector<std::uint8_t> bytes(size);
  std::uint32_t x = seed * 2654435761u + 1;
  for (auto& b : bytes) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<std::uint8_t>(x);
  }
  return bytes;
}

}  // namespace corokit::tls::testing
