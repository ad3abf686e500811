// The HTTP request parser and path normaliser over arbitrary bytes, parsed as a pipelined stream.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "pds/http/HttpRequest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view buf(reinterpret_cast<const char*>(data), size);
  corokit::http::Limits limits;
  limits.max_head = 4096;
  while (!buf.empty()) {
    corokit::http::ParseResult r = corokit::http::parse_request(buf, limits);
    if (r.status != corokit::http::ParseStatus::Complete) break;
    if (r.consumed == 0 || r.consumed > buf.size()) std::abort();
    char path[512];
    size_t n = corokit::http::normalize_path(r.request.target, path, sizeof path);
    if (n != 0 && (path[0] != '/' || n >= sizeof path)) std::abort();
    // A normalised path never climbs above the root.
    std::string_view p(path, n);
    if (p.find("/../") != std::string_view::npos || p.ends_with("/..")) std::abort();
    buf.remove_prefix(r.consumed);
  }
  return 0;
}
