// The static site as a FAT volume: the `Site` of HttpConnection.h over fs::FatVolume. Files are
// found by path (case-insensitive, long names), and bodies are read in chunks through the volume's
// reader (a buffer cache in a PD). Corrupt volumes give errors, never crashes (FatVolume.h).
// Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "executor/Task.h"
#include "executor/fs/FatVolume.h"

namespace corokit::http {

template <typename Reader>
class FatSite {
 public:
  static constexpr size_t kChunkBytes = 8 * 1024;

  struct File {
    bool directory = false;
    uint64_t size = 0;
    fs::FatNode node;  // keeps the chain cursor: sequential chunks never re-walk the FAT
  };
  struct Chunk {
    uint8_t data[kChunkBytes];
    size_t size = 0;
    std::span<const uint8_t> bytes() const { return {data, size}; }
  };

  explicit FatSite(fs::FatVolume<Reader>& volume) : volume_(volume) {}

  exec::Task<fs::FsError> lookup(std::string_view path, File& out) {
    fs::FatNode node;
    fs::FsError e = co_await volume_.lookup(path, node);
    if (e != fs::FsError::None) co_return e;
    out.directory = node.directory;
    out.size = node.directory ? 0 : node.size;
    out.node = node;
    co_return fs::FsError::None;
  }

  exec::Task<fs::FsError> chunk(File& file, uint64_t offset, Chunk& out) {
    size_t want = kChunkBytes;
    if (file.size - offset < want) want = size_t(file.size - offset);
    out.size = 0;
    fs::FsError e = co_await volume_.read(file.node, offset, std::span<uint8_t>(out.data, want), out.size);
    if (e == fs::FsError::None && out.size == 0) e = fs::FsError::Corrupt;  // shorter than its size
    co_return e;
  }

 private:
  fs::FatVolume<Reader>& volume_;
};

}  // namespace corokit::http
