#include "executor/net/NetConfig.h"

namespace corokit::net {
namespace {

bool equal(const char* a, const char* b) noexcept {
  while (*a != 0 && *a == *b) ++a, ++b;
  return *a == *b;
}

struct Cursor {
  const char* p;
  const char* end;
  bool at_end() const noexcept { return p == end; }
};

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

// The next whitespace-separated word of the current line (empty at the line's end).
struct Word {
  const char* p = nullptr;
  std::size_t n = 0;
  bool empty() const noexcept { return n == 0; }
  bool is(const char* s) const noexcept {
    std::size_t i = 0;
    for (; i < n; ++i)
      if (s[i] != p[i]) return false;
    return s[i] == 0;
  }
  bool starts_with(const char* s) const noexcept {
    std::size_t i = 0;
    for (; s[i] != 0; ++i)
      if (i >= n || s[i] != p[i]) return false;
    return true;
  }
};

Word next_word(Cursor& c) noexcept {
  while (!c.at_end() && is_space(*c.p)) ++c.p;
  Word w{c.p, 0};
  if (!c.at_end() && *c.p == '#') {  // a comment runs to the end of the line
    while (!c.at_end() && *c.p != '\n') ++c.p;
    w.p = c.p;
    return w;
  }
  while (!c.at_end() && *c.p != '\n' && !is_space(*c.p)) ++c.p, ++w.n;
  return w;
}

int hex(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_mac(const char* p, std::size_t n, MacAddress& out) noexcept {
  if (n != 17) return false;
  for (int i = 0; i < 6; ++i) {
    int hi = hex(p[3 * i]), lo = hex(p[3 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    if (i < 5 && p[3 * i + 2] != ':') return false;
    out.bytes[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

// "a.b.c.d", optionally followed by "/prefix" when `prefix` is given.
bool parse_ipv4(const char* p, std::size_t n, std::uint32_t& out, std::uint8_t* prefix) noexcept {
  std::uint32_t value = 0;
  std::size_t i = 0;
  for (int part = 0; part < 4; ++part) {
    unsigned v = 0, digits = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 4) v = v * 10 + unsigned(p[i++] - '0'), ++digits;
    if (digits == 0 || v > 255) return false;
    value = (value << 8) | v;
    if (part < 3) {
      if (i >= n || p[i] != '.') return false;
      ++i;
    }
  }
  if (prefix != nullptr) {
    if (i >= n || p[i] != '/') return false;
    ++i;
    unsigned v = 0, digits = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9' && digits < 3) v = v * 10 + unsigned(p[i++] - '0'), ++digits;
    if (digits == 0 || v > 32) return false;
    *prefix = static_cast<std::uint8_t>(v);
  }
  out = value;
  return i == n;
}

bool copy_name(const Word& w, char (&out)[kMaxName]) noexcept {
  if (w.n == 0 || w.n >= kMaxName) return false;
  for (std::size_t i = 0; i < w.n; ++i) out[i] = w.p[i];
  out[w.n] = 0;
  return true;
}

}  // namespace

MacAddress derive_mac(const char* system, const char* client) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ull;
  auto mix = [&](const char* s) {
    for (; *s != 0; ++s) h = (h ^ static_cast<std::uint8_t>(*s)) * 0x100000001b3ull;
  };
  mix(system);
  mix("/");
  mix(client);
  MacAddress m;
  for (int i = 0; i < 6; ++i) m.bytes[i] = static_cast<std::uint8_t>(h >> (8 * i));
  m.bytes[0] = static_cast<std::uint8_t>((m.bytes[0] | 0x02) & 0xfe);
  return m;
}

bool ClientEntry::accepts_multicast(const MacAddress& group) const noexcept {
  if (all_multicast) return true;
  for (unsigned i = 0; i < group_count; ++i)
    if (groups[i] == group) return true;
  return false;
}

int NetConfig::find(const char* name) const noexcept {
  for (unsigned i = 0; i < client_count; ++i)
    if (equal(clients[i].name, name)) return static_cast<int>(i);
  return -1;
}

NetConfigError parse_net_config(const char* text, std::size_t size, NetConfig& out) noexcept {
  out = NetConfig{};
  for (std::size_t i = 0; i < size; ++i) {
    if (text[i] == 0) {
      size = i;
      break;
    }
  }
  Cursor c{text, text + size};
  bool explicit_mac[kMaxClients] = {};
  unsigned line = 0;
  while (!c.at_end()) {
    ++line;
    Word key = next_word(c);
    if (key.is("system")) {
      if (out.system[0] != 0) return {line, "a second 'system' line"};
      if (!copy_name(next_word(c), out.system)) return {line, "'system' needs a name of 1 to 31 characters"};
    } else if (key.is("client")) {
      if (out.client_count == kMaxClients) return {line, "more than 16 clients"};
      ClientEntry& e = out.clients[out.client_count];
      if (!copy_name(next_word(c), e.name)) return {line, "'client' needs a name of 1 to 31 characters"};
      if (out.find(e.name) >= 0) return {line, "duplicate client name"};
      for (Word w = next_word(c); !w.empty(); w = next_word(c)) {
        if (w.starts_with("mac=")) {
          if (!parse_mac(w.p + 4, w.n - 4, e.mac)) return {line, "bad mac= (expected xx:xx:xx:xx:xx:xx)"};
          if (e.mac.is_multicast()) return {line, "a client MAC must be unicast"};
          explicit_mac[out.client_count] = true;
        } else if (w.is("ip=dhcp")) {
          e.ipv4.dhcp = true;
        } else if (w.starts_with("ip=")) {
          if (!parse_ipv4(w.p + 3, w.n - 3, e.ipv4.address, &e.ipv4.prefix)) return {line, "bad ip= (expected a.b.c.d/prefix or dhcp)"};
          e.ipv4.dhcp = false;
        } else if (w.starts_with("gw=")) {
          if (!parse_ipv4(w.p + 3, w.n - 3, e.ipv4.gateway, nullptr)) return {line, "bad gw= (expected a.b.c.d)"};
        } else if (w.is("multicast=all")) {
          e.all_multicast = true;
        } else if (w.starts_with("group=")) {
          if (e.group_count == kMaxGroups) return {line, "more than 4 multicast groups"};
          MacAddress g;
          if (!parse_mac(w.p + 6, w.n - 6, g) || !g.is_multicast()) return {line, "bad group= (expected a multicast MAC)"};
          e.groups[e.group_count++] = g;
        } else {
          return {line, "unknown client attribute"};
        }
      }
      ++out.client_count;
    } else if (!key.empty()) {
      return {line, "unknown line (expected 'system' or 'client')"};
    }
    if (!next_word(c).empty()) return {line, "unexpected text at the end of the line"};
    if (!c.at_end()) ++c.p;  // the newline
  }
  if (out.system[0] == 0) return {line, "no 'system' line"};
  for (unsigned i = 0; i < out.client_count; ++i) {
    if (!explicit_mac[i]) out.clients[i].mac = derive_mac(out.system, out.clients[i].name);
  }
  for (unsigned i = 0; i < out.client_count; ++i)
    for (unsigned j = i + 1; j < out.client_count; ++j)
      if (out.clients[i].mac == out.clients[j].mac) return {0, "two clients have the same MAC address"};
  return {};
}

}  // namespace corokit::net
