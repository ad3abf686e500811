#include "pds/http/HttpRequest.h"

namespace corokit::http {
namespace {

// RFC 9110 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-':
    case '.': case '^': case '_': case '`': case '|': case '~':
      return true;
    default:
      return false;
  }
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The next line (without its terminator, CRLF or a bare LF) starting at `pos`.
bool next_line(std::string_view buf, size_t& pos, std::string_view& line) {
  size_t lf = buf.find('\n', pos);
  if (lf == std::string_view::npos) return false;
  size_t end = (lf > pos && buf[lf - 1] == '\r') ? lf - 1 : lf;
  line = buf.substr(pos, end - pos);
  pos = lf + 1;
  return true;
}

// Where the head ends (just past the empty line), or npos when it has not fully arrived.
size_t head_end(std::string_view buf, size_t from) {
  size_t pos = from;
  for (;;) {
    size_t lf = buf.find('\n', pos);
    if (lf == std::string_view::npos) return std::string_view::npos;
    bool empty = lf == pos || (lf == pos + 1 && buf[pos] == '\r');
    if (empty && pos != from) return lf + 1;
    pos = lf + 1;
  }
}

ParseResult fail(uint16_t status) {
  ParseResult r;
  r.status = ParseStatus::Error;
  r.error = status;
  return r;
}

bool parse_decimal(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  out = v;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

ParseResult parse_request(std::string_view buf, const Limits& limits) {
  // RFC 9112 §2.2: empty lines before a request line are ignored.
  size_t start = 0;
  while (start < buf.size() && (buf[start] == '\r' || buf[start] == '\n')) ++start;
  if (start == buf.size()) return {};

  size_t end = head_end(buf, start);
  if (end == std::string_view::npos) {
    if (buf.size() - start > limits.max_head) return fail(431);
    return {};
  }
  if (end - start > limits.max_head) return fail(431);

  ParseResult r;
  Request& req = r.request;
  size_t pos = start;
  std::string_view line;
  next_line(buf, pos, line);

  // request-line = method SP request-target SP HTTP-version
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return fail(400);
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return fail(400);
  req.method_text = line.substr(0, sp1);
  req.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  for (char c : req.method_text) {
    if (!is_tchar(c)) return fail(400);
  }
  for (char c : req.target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return fail(400);
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || version[6] != '.' ||
      version[5] < '0' || version[5] > '9' || version[7] < '0' || version[7] > '9') {
    return fail(400);
  }
  if (version[5] != '1') return fail(505);
  req.version_minor = static_cast<uint8_t>(version[7] - '0');
  if (req.method_text == "GET") {
    req.method = Method::Get;
  } else if (req.method_text == "HEAD") {
    req.method = Method::Head;
  }

  bool close = false, keep_alive_token = false, have_host = false, have_length = false;
  bool transfer_encoding = false;
  while (next_line(buf, pos, line) && !line.empty()) {
    if (++req.header_count > limits.max_headers) return fail(431);
    if (line.front() == ' ' || line.front() == '\t') return fail(400);  // obsolete line folding
    size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400);
    std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!is_tchar(c)) return fail(400);  // includes whitespace before the colon
    }
    std::string_view value = trim_ows(line.substr(colon + 1));
    for (char c : value) {
      if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) return fail(400);
    }
    if (iequals(name, "host")) {
      if (have_host) return fail(400);
      have_host = true;
      req.host = value;
    } else if (iequals(name, "content-length")) {
      uint64_t n = 0;
      if (!parse_decimal(value, n)) return fail(400);
      if (have_length && n != req.content_length) return fail(400);
      have_length = true;
      req.content_length = n;
    } else if (iequals(name, "transfer-encoding")) {
      transfer_encoding = true;
    } else if (iequals(name, "connection")) {
      // A comma-separated list of tokens.
      while (!value.empty()) {
        size_t comma = value.find(',');
        std::string_view token = trim_ows(value.substr(0, comma));
        if (iequals(token, "close")) close = true;
        if (iequals(token, "keep-alive")) keep_alive_token = true;
        if (comma == std::string_view::npos) break;
        value.remove_prefix(comma + 1);
      }
    }
  }
  if (req.version_minor >= 1 && !have_host) return fail(400);
  if (transfer_encoding) return fail(have_length ? 400 : 501);
  req.keep_alive = !close && (req.version_minor >= 1 || keep_alive_token);
  if (req.content_length > limits.max_body) return fail(413);
  if (buf.size() - end < req.content_length) return {};  // the body has not fully arrived
  r.status = ParseStatus::Complete;
  r.consumed = end + static_cast<size_t>(req.content_length);
  return r;
}

size_t normalize_path(std::string_view target, char* out, size_t out_size) {
  if (target.empty() || target.front() != '/' || out_size < 2) return 0;
  size_t cut = target.find_first_of("?#");
  if (cut != std::string_view::npos) target = target.substr(0, cut);

  // Decode into `out`, then resolve dot segments in place.
  size_t n = 0;
  for (size_t i = 0; i < target.size(); ++i) {
    char c = target[i];
    if (c == '%') {
      if (i + 2 >= target.size()) return 0;
      int hi = hex_value(target[i + 1]), lo = hex_value(target[i + 2]);
      if (hi < 0 || lo < 0) return 0;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0' || n + 1 >= out_size) return 0;
    out[n++] = c;
  }

  // Segment by segment: "." disappears, ".." removes the previous segment (never the root).
  size_t w = 0;  // write position; out[0..w) is the resolved prefix
  size_t r = 0;
  while (r < n) {
    // out[r] is '/': the segment is (r, next slash).
    size_t seg_end = r + 1;
    while (seg_end < n && out[seg_end] != '/') ++seg_end;
    std::string_view seg(out + r + 1, seg_end - r - 1);
    bool last = seg_end == n;
    if (seg == ".") {
      if (last) out[w++] = '/';
    } else if (seg == "..") {
      while (w > 0 && out[w - 1] != '/') --w;  // drop the previous segment and its slash
      if (w > 0) --w;
      if (last) out[w++] = '/';
    } else if (seg.empty() && !last) {
      // "//": a repeated slash adds nothing
    } else {
      out[w++] = '/';
      for (char c : seg) out[w++] = c;
    }
    r = seg_end;
  }
  if (w == 0) out[w++] = '/';
  out[w] = '\0';
  return w;
}

}  // namespace corokit::http
