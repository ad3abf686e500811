#include "pds/http/HttpResponse.h"

namespace corokit::http {
namespace {

// Appends to a fixed buffer; remembers overflow instead of writing past the end.
class Writer {
 public:
  Writer(char* out, size_t capacity) : out_(out), cap_(capacity) {}
  Writer& operator<<(std::string_view s) {
    if (n_ + s.size() > cap_) {
      overflow_ = true;
      return *this;
    }
    for (char c : s) out_[n_++] = c;
    return *this;
  }
  Writer& operator<<(uint64_t v) {
    char digits[20];
    size_t k = 0;
    do {
      digits[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    char buf[20];
    for (size_t i = 0; i < k; ++i) buf[i] = digits[k - 1 - i];
    return *this << std::string_view(buf, k);
  }
  size_t finish() const { return overflow_ ? 0 : n_; }

 private:
  char* out_;
  size_t cap_;
  size_t n_ = 0;
  bool overflow_ = false;
};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool extension_is(std::string_view ext, std::string_view want) {
  if (ext.size() != want.size()) return false;
  for (size_t i = 0; i < ext.size(); ++i) {
    if (lower(ext[i]) != want[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view reason_phrase(uint16_t status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

std::string_view content_type_for(std::string_view path) {
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string_view ext = path.substr(dot + 1);
  static constexpr struct {
    std::string_view ext, type;
  } kTypes[] = {
      {"html", "text/html; charset=utf-8"},   {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},     {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"}, {"json", "application/json"},
      {"txt", "text/plain; charset=utf-8"},   {"md", "text/markdown; charset=utf-8"},
      {"xml", "application/xml"},             {"svg", "image/svg+xml"},
      {"png", "image/png"},                   {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},                 {"gif", "image/gif"},
      {"ico", "image/vnd.microsoft.icon"},    {"webp", "image/webp"},
      {"wasm", "application/wasm"},           {"pdf", "application/pdf"},
      {"woff", "font/woff"},                  {"woff2", "font/woff2"},
      {"ttf", "font/ttf"},                    {"mp4", "video/mp4"},
      {"webm", "video/webm"},                 {"zip", "application/zip"},
      {"gz", "application/gzip"},             {"tar", "application/x-tar"},
      {"csv", "text/csv; charset=utf-8"},
  };
  for (const auto& t : kTypes) {
    if (extension_is(ext, t.ext)) return t.type;
  }
  return "application/octet-stream";
}

size_t format_head(const ResponseHead& h, char* out, size_t capacity) {
  Writer w(out, capacity);
  w << "HTTP/1.1 " << uint64_t{h.status} << " " << reason_phrase(h.status) << "\r\n";
  w << "Server: corokit\r\n";
  if (!h.content_type.empty()) w << "Content-Type: " << h.content_type << "\r\n";
  w << "Content-Length: " << h.content_length << "\r\n";
  if (!h.location.empty()) w << "Location: " << h.location << "\r\n";
  if (h.allow_get_head) w << "Allow: GET, HEAD\r\n";
  w << (h.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
  w << "\r\n";
  return w.finish();
}

size_t format_error_body(uint16_t status, char* out, size_t capacity) {
  Writer w(out, capacity);
  w << "<!DOCTYPE html>\n<html><head><title>" << uint64_t{status} << " " << reason_phrase(status)
    << "</title></head>\n<body><h1>" << uint64_t{status} << " " << reason_phrase(status)
    << "</h1></body></html>\n";
  return w.finish();
}

}  // namespace corokit::http
