// The network configuration shared by the Rx/Tx virtualisers and the client PDs: which clients a
// NIC serves, in order (client i is the i-th line and the i-th queue set of the virtualisers), their
// MAC addresses, multicast memberships and IPv4 settings (docs/net.md). It lives in a read-only
// memory region prefilled from a text file, so every PD reads the same bytes:
//
//   system net_echo
//   client echo ip=10.0.0.2/24 gw=10.0.0.1
//   client second mac=02:00:00:00:00:02 ip=dhcp multicast=all group=01:00:5e:00:00:fb
//
// A client without `mac=` gets a deterministic, locally administered unicast address derived from
// the system and client names (PROTOCOLS.md §4.9). Duplicate names or MACs are errors.
// Freestanding: no libc.
#pragma once

#include <cstddef>
#include <cstdint>

namespace corokit::net {

inline constexpr unsigned kMaxClients = 16;
inline constexpr unsigned kMaxGroups = 4;
inline constexpr unsigned kMaxName = 32;

struct MacAddress {
  std::uint8_t bytes[6] = {};

  bool operator==(const MacAddress&) const = default;
  bool is_broadcast() const noexcept {
    for (std::uint8_t b : bytes)
      if (b != 0xff) return false;
    return true;
  }
  bool is_multicast() const noexcept { return (bytes[0] & 1) != 0; }
  static MacAddress from(const std::uint8_t* p) noexcept {
    MacAddress m;
    for (int i = 0; i < 6; ++i) m.bytes[i] = p[i];
    return m;
  }
};

// Locally administered unicast, from FNV-1a over "system/client".
MacAddress derive_mac(const char* system, const char* client) noexcept;

struct Ipv4Settings {
  bool dhcp = true;
  std::uint32_t address = 0;  // host order: 10.0.0.2 is 0x0a000002
  std::uint8_t prefix = 0;
  std::uint32_t gateway = 0;
};

struct ClientEntry {
  char name[kMaxName] = {};
  MacAddress mac;
  bool all_multicast = false;
  unsigned group_count = 0;
  MacAddress groups[kMaxGroups];
  Ipv4Settings ipv4;

  bool accepts_multicast(const MacAddress& group) const noexcept;
};

struct NetConfig {
  char system[kMaxName] = {};
  unsigned client_count = 0;
  ClientEntry clients[kMaxClients];

  // The index of the client called `name`, or -1.
  int find(const char* name) const noexcept;
};

struct NetConfigError {
  unsigned line = 0;           // 1-based; 0 when there is no error
  const char* message = nullptr;
  explicit operator bool() const noexcept { return message != nullptr; }
};

// Parses `size` bytes of `text` (a NUL ends it early: regions are zero-padded).
NetConfigError parse_net_config(const char* text, std::size_t size, NetConfig& out) noexcept;

}  // namespace corokit::net
