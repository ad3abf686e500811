// One HTTP/1.1 connection of the static-site server, as a coroutine: reads requests (pipelined ones
// in order), answers GET and HEAD from a `Site`, and closes gracefully when the client asks for it,
// when a request is malformed, or when the client closes its side.
//
// `Stream` is a byte stream with the shape of corokit::net::TcpStream (and the TLS stream over it):
//   Task<R> read(std::span<uint8_t>)          R has ok() and value (bytes read; 0: peer closed)
//   Task<E> write(std::span<const uint8_t>)   E has ok(), or E{} means success
//   Task<E> close()                           graceful: returns once everything written is acked
// and, optionally, zero-copy sends (TcpStream::write_borrowed):
//   Task<E> write_borrowed(std::span<const uint8_t>, Chunk&&)   sends the bytes in place, keeping
//                                               the chunk (its pin) until the peer has them
// `Site` serves files:
//   using File = ...;                           has `bool directory` and `uint64_t size`
//   using Chunk = ...;                          has `std::span<const uint8_t> bytes()`; it pins
//                                               those bytes (e.g. in a block cache) while it lives
//   Task<fs::FsError> lookup(std::string_view path, File& out);
//   Task<fs::FsError> chunk(File& file, uint64_t offset, Chunk& out);   at least one byte
// Serving a file therefore costs one copy: from wherever the site keeps it into the stream; with
// write_borrowed, the one copy is the stream's own into its frames.
// Freestanding: no allocation beyond the coroutine frame (which holds the request buffer).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <utility>

#include "executor/Task.h"
#include "executor/fs/FatFormat.h"
#include "pds/http/HttpRequest.h"
#include "pds/http/HttpResponse.h"

namespace corokit::http {

// What a server has done so far (all its connections), for logs and benchmarks.
struct ServerCounters {
  uint64_t connections = 0;
  uint64_t requests = 0;
  uint64_t status_2xx = 0;
  uint64_t status_3xx = 0;
  uint64_t status_4xx = 0;
  uint64_t status_5xx = 0;
  uint64_t body_bytes = 0;
};

// The limits every connection applies. The request buffer of a connection is
// max_head + max_body bytes (a static server skips bodies but must see them whole to pipeline).
struct ConnectionLimits {
  static constexpr size_t kBufferBytes = 12 * 1024;
  Limits request{.max_head = 8 * 1024, .max_headers = 64, .max_body = 4 * 1024};
};

// The decoded path of a request and where a directory's index lives.
inline constexpr std::string_view kIndexName = "index.html";
inline constexpr size_t kMaxPath = 1024;

namespace detail {

inline void count_status(ServerCounters& c, uint16_t status) {
  if (status < 300) ++c.status_2xx;
  else if (status < 400) ++c.status_3xx;
  else if (status < 500) ++c.status_4xx;
  else ++c.status_5xx;
}

inline uint16_t status_for(fs::FsError e) {
  switch (e) {
    case fs::FsError::NotFound:
    case fs::FsError::NotADirectory:
    case fs::FsError::NameTooLong: return 404;
    default: return 500;
  }
}

template <typename E>
bool succeeded(const E& e) {
  if constexpr (requires { e.ok(); }) return e.ok();
  else return e == E{};
}

template <typename Stream>
exec::Task<bool> write_all(Stream& stream, const void* data, size_t size) {
  auto e = co_await stream.write(std::span<const uint8_t>(static_cast<const uint8_t*>(data), size));
  co_return succeeded(e);
}

// A head and, unless it is a HEAD request, an error page. Returns false when the stream failed.
template <typename Stream>
exec::Task<bool> send_error(Stream& stream, ServerCounters& counters, uint16_t status, bool keep_alive,
                            bool head_only, std::string_view location = {}) {
  char body[256];
  size_t body_size = format_error_body(status, body, sizeof body);
  ResponseHead head;
  head.status = status;
  head.content_type = "text/html; charset=utf-8";
  head.content_length = body_size;
  head.keep_alive = keep_alive;
  head.location = location;
  head.allow_get_head = status == 405;
  char text[512];
  size_t text_size = format_head(head, text, sizeof text);
  count_status(counters, status);
  if (text_size == 0) co_return false;
  if (!co_await write_all(stream, text, text_size)) co_return false;
  if (!head_only && !co_await write_all(stream, body, body_size)) co_return false;
  co_return true;
}

// Answers one well-formed request. Returns false when the stream failed.
template <typename Stream, typename Site>
exec::Task<bool> answer(Stream& stream, Site& site, ServerCounters& counters, const Request& request) {
  const bool head_only = request.method == Method::Head;
  const bool keep_alive = request.keep_alive;
  if (request.method == Method::Other) {
    co_return co_await send_error(stream, counters, 405, keep_alive, false);
  }
  char path[kMaxPath + kIndexName.size() + 1];
  size_t length = normalize_path(request.target, path, kMaxPath);
  if (length == 0) co_return co_await send_error(stream, counters, 400, keep_alive, head_only);

  typename Site::File file;
  fs::FsError e = co_await site.lookup(std::string_view(path, length), file);
  if (e == fs::FsError::None && file.directory) {
    if (path[length - 1] != '/') {
      // A directory is served at its slash-terminated URL, so relative links inside it resolve.
      path[length++] = '/';
      co_return co_await send_error(stream, counters, 301, keep_alive, head_only, std::string_view(path, length));
    }
    for (char c : kIndexName) path[length++] = c;
    e = co_await site.lookup(std::string_view(path, length), file);
    if (e == fs::FsError::None && file.directory) e = fs::FsError::NotFound;
  }
  if (e != fs::FsError::None) co_return co_await send_error(stream, counters, status_for(e), keep_alive, head_only);

  ResponseHead head;
  head.content_type = content_type_for(std::string_view(path, length));
  head.content_length = file.size;
  head.keep_alive = keep_alive;
  char text[512];
  size_t text_size = format_head(head, text, sizeof text);
  if (text_size == 0) co_return false;
  count_status(counters, 200);
  if (!co_await write_all(stream, text, text_size)) co_return false;
  if (head_only) co_return true;
  for (uint64_t offset = 0; offset < file.size;) {
    typename Site::Chunk chunk;
    e = co_await site.chunk(file, offset, chunk);
    // The head promised the full length: a failing disk can only cut the connection.
    if (e != fs::FsError::None || chunk.bytes().empty()) co_return false;
    std::span<const uint8_t> bytes = chunk.bytes();
    if (bytes.size() > file.size - offset) bytes = bytes.first(size_t(file.size - offset));
    if constexpr (requires { stream.write_borrowed(bytes, std::move(chunk)); }) {
      if (!succeeded(co_await stream.write_borrowed(bytes, std::move(chunk)))) co_return false;
    } else {
      if (!co_await write_all(stream, bytes.data(), bytes.size())) co_return false;
    }
    offset += bytes.size();
    counters.body_bytes += bytes.size();
  }
  co_return true;
}

}  // namespace detail

// Serves `stream` until the client is done with it, then closes it gracefully.
template <typename Stream, typename Site>
exec::Task<void> serve_connection(Stream& stream, Site& site, ServerCounters& counters,
                                  const ConnectionLimits& limits = {}) {
  ++counters.connections;
  char buffer[ConnectionLimits::kBufferBytes];
  size_t start = 0;
  size_t end = 0;
  bool open = true;
  while (open) {
    ParseResult parsed = parse_request(std::string_view(buffer + start, end - start), limits.request);
    if (parsed.status == ParseStatus::Complete) {
      ++counters.requests;
      // Views in `parsed.request` point into `buffer`: answer before the buffer moves.
      open = co_await detail::answer(stream, site, counters, parsed.request) && parsed.request.keep_alive;
      start += parsed.consumed;
      continue;
    }
    if (parsed.status == ParseStatus::Error) {
      co_await detail::send_error(stream, counters, parsed.error, false, false);
      break;
    }
    // Incomplete: make room and read more.
    if (start > 0) {
      for (size_t i = start; i < end; ++i) buffer[i - start] = buffer[i];
      end -= start;
      start = 0;
    }
    if (end == sizeof buffer) {
      co_await detail::send_error(stream, counters, 431, false, false);
      break;
    }
    auto got = co_await stream.read(std::span<uint8_t>(reinterpret_cast<uint8_t*>(buffer) + end, sizeof buffer - end));
    if (!got.ok() || got.value == 0) break;
    end += got.value;
  }
  co_await stream.close();
}

}  // namespace corokit::http
