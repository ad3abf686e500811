// HTTP/1.1 request parsing for the static-site server (RFC 9112), incremental and allocation-free.
//
// parse_request() looks at the bytes received so far on a connection. It returns Incomplete until a
// whole request head (and any body, which a static server skips) is there, then Complete with the
// bytes it consumed, so pipelined requests are parsed one after the other from the same buffer.
// Anything malformed or over a limit is an Error carrying the status to answer with (400, 405 is
// the server's, 413, 431, 501, 505) — never a crash: the parser is fuzzed (tests/fuzz/fuzz_http.cpp).
// Freestanding: no allocation, no exceptions; views point into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace corokit::http {

enum class Method : uint8_t { Get, Head, Other };

struct Limits {
  size_t max_head = 16 * 1024;   // request line + headers (431 beyond; 414 is folded into it)
  size_t max_headers = 100;      // header fields (431 beyond)
  uint64_t max_body = 64 * 1024; // a static server reads no bodies; it skips at most this much (413)
};

struct Request {
  Method method = Method::Other;
  std::string_view method_text;
  std::string_view target;  // as sent: origin-form path with optional query
  uint8_t version_minor = 1;  // HTTP/1.<minor>
  bool keep_alive = true;     // after Connection tokens and the version's default
  std::string_view host;
  uint64_t content_length = 0;
  size_t header_count = 0;
};

enum class ParseStatus : uint8_t { Incomplete, Complete, Error };

struct ParseResult {
  ParseStatus status = ParseStatus::Incomplete;
  size_t consumed = 0;   // Complete: bytes of this request, body included
  uint16_t error = 0;    // Error: the status code to answer with
  Request request;
};

ParseResult parse_request(std::string_view buffer, const Limits& limits = {});

// The path of a request target: the query and fragment removed, percent-decoded into `out`, dot
// segments resolved, so the result always starts with '/' and never leaves the root. Returns the
// decoded length, or 0 when the target is not a valid origin-form path (a NUL byte, a bad escape,
// an absolute or authority form, longer than `out`).
size_t normalize_path(std::string_view target, char* out, size_t out_size);

}  // namespace corokit::http
