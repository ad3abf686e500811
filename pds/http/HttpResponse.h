// HTTP/1.1 response heads for the static-site server: status lines, the headers a static server
// sends, content types by file extension, and small error bodies. Allocation-free: everything is
// formatted into a caller's buffer. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace corokit::http {

struct ResponseHead {
  uint16_t status = 200;
  std::string_view content_type;  // omitted when empty
  uint64_t content_length = 0;
  bool keep_alive = true;
  std::string_view location;  // 301: where to go
  bool allow_get_head = false;  // 405: "Allow: GET, HEAD"
};

std::string_view reason_phrase(uint16_t status);

// The MIME type for a path's extension ("text/html; charset=utf-8", "image/png", ...);
// application/octet-stream when unknown.
std::string_view content_type_for(std::string_view path);

// Writes the status line and headers, ending with the empty line. Returns the length, or 0 when
// `capacity` is too small.
size_t format_head(const ResponseHead& head, char* out, size_t capacity);

// A short HTML body for an error status ("<h1>404 Not Found</h1>" in a page). Returns the length,
// or 0 when `capacity` is too small.
size_t format_error_body(uint16_t status, char* out, size_t capacity);

}  // namespace corokit::http
