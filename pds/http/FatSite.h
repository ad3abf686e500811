// The static site as a FAT volume: the `Site` of HttpConnection.h over fs::FatVolume on a block
// buffer cache. Files are found by path (case-insensitive, long names); a body chunk is a file's
// bytes inside one cached block, pinned in place, so the stream copies them straight from the
// cache. Corrupt volumes give errors, never crashes (FatVolume.h). Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "executor/Task.h"
#include "executor/block/BufferCache.h"
#include "executor/fs/FatVolume.h"

namespace corokit::http {

class FatSite {
 public:
  using Reader = exec::BufferCacheReader;

  struct File {
    bool directory = false;
    uint64_t size = 0;
    fs::FatNode node;  // keeps the chain cursor: sequential chunks never re-walk the FAT
  };
  struct Chunk {
    exec::BlockPin pin;
    std::span<const uint8_t> view;
    std::span<const uint8_t> bytes() const { return view; }
  };

  // `volume` reads through `cache` (its byte offsets are the cache's device offsets).
  FatSite(fs::FatVolume<Reader>& volume, exec::BufferCache& cache) : volume_(volume), cache_(cache) {}

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
    fs::Extent extent;
    fs::FsError e = co_await volume_.map(file.node, offset, BLK_TRANSFER_SIZE, extent);
    if (e != fs::FsError::None) co_return e;
    if (extent.length == 0) co_return fs::FsError::Corrupt;  // shorter than its size
    const uint64_t block = extent.volume_offset / BLK_TRANSFER_SIZE;
    const size_t within = size_t(extent.volume_offset % BLK_TRANSFER_SIZE);
    exec::BlockResult r = co_await cache_.pin(block, out.pin);
    if (!r.ok()) co_return fs::FsError::Io;
    size_t length = BLK_TRANSFER_SIZE - within;
    if (extent.length < length) length = size_t(extent.length);
    out.view = out.pin.bytes().subspan(within, length);
    co_return fs::FsError::None;
  }

 private:
  fs::FatVolume<Reader>& volume_;
  exec::BufferCache& cache_;
};

}  // namespace corokit::http
