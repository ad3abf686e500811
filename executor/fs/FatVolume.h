// Read-only access to a FAT12/16/32 volume from coroutines: mount, look up a path, map a file's
// bytes to volume extents (for zero-copy serving from a block cache) or read them.
//
// `Reader` is anything with `Task<bool> read(uint64_t offset, std::span<uint8_t> out)` reading
// volume bytes (false on an I/O error), e.g. an adapter over the block client's buffer cache. The
// volume trusts nothing it reads (FatFormat.h): chains are bounded by the cluster count, every
// cluster and extent is checked against the geometry. Freestanding.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "executor/Task.h"
#include "executor/fs/FatFormat.h"

namespace corokit::fs {

// A file or directory found on the volume, with a cursor that makes sequential access cheap.
struct FatNode {
  bool directory = false;
  bool fixed_root = false;  // FAT12/16 root directory: a fixed region, not a chain
  uint32_t first_cluster = 0;
  uint32_t size = 0;  // files only
  // Cursor: cluster number `cursor_cluster` holds cluster index `cursor_index` of the chain.
  uint32_t cursor_index = 0;
  uint32_t cursor_cluster = 0;
};

// A contiguous run of a file on the volume.
struct Extent {
  uint64_t volume_offset = 0;
  uint64_t length = 0;
};

template <typename Reader>
class FatVolume {
 public:
  explicit FatVolume(Reader& reader) : reader_(reader) {}

  const FatGeometry& geometry() const { return g_; }

  exec::Task<FsError> mount(uint64_t volume_bytes) {
    uint8_t sector[512];
    if (!co_await reader_.read(0, sector)) co_return FsError::Io;
    co_return parse_boot_sector(sector, volume_bytes, g_);
  }

  FatNode root() const {
    FatNode n;
    n.directory = true;
    n.fixed_root = g_.type != FatType::Fat32;
    n.first_cluster = g_.type == FatType::Fat32 ? g_.root_cluster : 0;
    return n;
  }

  // Finds `path` ("/a/b.html"; empty segments ignored; names compared case-insensitively).
  exec::Task<FsError> lookup(std::string_view path, FatNode& out) {
    FatNode cur = root();
    // Plain loops, not find()/substr(): freestanding targets have no memchr and no exceptions.
    while (!path.empty()) {
      while (!path.empty() && path.front() == '/') path.remove_prefix(1);
      if (path.empty()) break;
      size_t length = 0;
      while (length < path.size() && path[length] != '/') ++length;
      std::string_view name(path.data(), length);
      path.remove_prefix(length);
      if (!cur.directory) co_return FsError::NotADirectory;
      if (name.size() > 255) co_return FsError::NameTooLong;
      FatNode next;
      FsError e = co_await find_in(cur, name, next);
      if (e != FsError::None) co_return e;
      cur = next;
    }
    out = cur;
    co_return FsError::None;
  }

  // Calls `visit(const DirEntry&)` for every entry of directory `dir` (stops when it returns false).
  template <typename Visit>
  exec::Task<FsError> list(FatNode dir, Visit visit) {
    if (!dir.directory) co_return FsError::NotADirectory;
    DirectoryDecoder decoder;
    DirEntry entry;
    uint8_t record[32];
    for (uint64_t offset = 0;; offset += 32) {
      Extent ex;
      FsError e = co_await map_directory(dir, offset, ex);
      if (e == FsError::NotFound) co_return FsError::None;  // ran off the end without a marker
      if (e != FsError::None) co_return e;
      if (!co_await reader_.read(ex.volume_offset, record)) co_return FsError::Io;
      auto step = decoder.feed(std::span<const uint8_t, 32>(record, 32), g_, entry);
      if (step == DirectoryDecoder::Step::End) co_return FsError::None;
      if (step == DirectoryDecoder::Step::Entry && !visit(entry)) co_return FsError::None;
    }
  }

  // The run of `file` starting at byte `offset`: as long as its clusters are consecutive on the
  // volume, at most `max_length` bytes, never past the end of the file.
  exec::Task<FsError> map(FatNode& file, uint64_t offset, uint64_t max_length, Extent& out) {
    if (file.directory) co_return FsError::IsADirectory;
    if (offset >= file.size) {
      out = Extent{};
      co_return FsError::None;
    }
    uint64_t want = file.size - offset;
    if (want > max_length) want = max_length;
    uint32_t cluster = 0;
    FsError e = co_await seek(file, uint32_t(offset / g_.cluster_bytes), cluster);
    if (e == FsError::NotFound) co_return FsError::Corrupt;  // the size claims more than the chain
    if (e != FsError::None) co_return e;
    uint64_t within = offset % g_.cluster_bytes;
    out.volume_offset = g_.cluster_offset(cluster) + within;
    out.length = g_.cluster_bytes - within;
    // Extend over physically consecutive clusters.
    while (out.length < want) {
      uint32_t next = 0;
      e = co_await next_of(cluster, next);
      if (e != FsError::None) co_return e;
      if (next != cluster + 1) break;
      cluster = next;
      ++file.cursor_index;
      file.cursor_cluster = cluster;
      out.length += g_.cluster_bytes;
    }
    if (out.length > want) out.length = want;
    co_return FsError::None;
  }

  // Reads up to out.size() bytes of `file` at `offset`; `got` is how many (0 at the end).
  exec::Task<FsError> read(FatNode& file, uint64_t offset, std::span<uint8_t> out, size_t& got) {
    got = 0;
    if (file.directory) co_return FsError::IsADirectory;
    while (got < out.size()) {
      Extent ex;
      FsError e = co_await map(file, offset + got, out.size() - got, ex);
      if (e != FsError::None) co_return e;
      if (ex.length == 0) break;
      if (!co_await reader_.read(ex.volume_offset, out.subspan(got, size_t(ex.length)))) co_return FsError::Io;
      got += size_t(ex.length);
    }
    co_return FsError::None;
  }

 private:
  // The cluster number of index `index` in the chain of `node`, using and advancing its cursor.
  exec::Task<FsError> seek(FatNode& node, uint32_t index, uint32_t& cluster) {
    if (!g_.valid_cluster(node.first_cluster)) co_return FsError::Corrupt;
    if (node.cursor_cluster == 0 || index < node.cursor_index) {
      node.cursor_index = 0;
      node.cursor_cluster = node.first_cluster;
    }
    if (index >= g_.cluster_count) co_return FsError::Corrupt;  // longer than the volume: a loop
    while (node.cursor_index < index) {
      uint32_t next = 0;
      FsError e = co_await next_of(node.cursor_cluster, next);
      if (e != FsError::None) co_return e;
      if (next == 0) co_return FsError::NotFound;  // the chain ends before `index`
      node.cursor_cluster = next;
      ++node.cursor_index;
    }
    cluster = node.cursor_cluster;
    co_return FsError::None;
  }

  exec::Task<FsError> next_of(uint32_t cluster, uint32_t& next) {
    uint8_t entry[4] = {};
    if (!co_await reader_.read(fat_entry_offset(g_, cluster), std::span<uint8_t>(entry, fat_entry_size(g_)))) {
      co_return FsError::Io;
    }
    co_return next_cluster(g_, cluster, std::span<const uint8_t>(entry, fat_entry_size(g_)), next);
  }

  // Where byte `offset` of a directory lies; NotFound past its end.
  exec::Task<FsError> map_directory(FatNode& dir, uint64_t offset, Extent& out) {
    if (dir.fixed_root) {
      if (offset >= g_.root_bytes) co_return FsError::NotFound;
      out = Extent{g_.root_offset + offset, 32};
      co_return FsError::None;
    }
    uint32_t cluster = 0;
    FsError e = co_await seek(dir, uint32_t(offset / g_.cluster_bytes), cluster);
    if (e != FsError::None) co_return e;
    out = Extent{g_.cluster_offset(cluster) + offset % g_.cluster_bytes, 32};
    co_return FsError::None;
  }

  exec::Task<FsError> find_in(FatNode dir, std::string_view name, FatNode& out) {
    bool found = false;
    FsError e = co_await list(dir, [&](const DirEntry& entry) {
      if (!names_equal(entry.view(), name)) return true;
      out = FatNode{};
      out.directory = entry.directory;
      out.first_cluster = entry.first_cluster;
      out.size = entry.directory ? 0 : entry.size;
      found = true;
      return false;
    });
    if (e != FsError::None) co_return e;
    if (!found) co_return FsError::NotFound;
    // A directory entry must point into the volume (an empty file may have cluster 0).
    if ((out.directory || out.size != 0) && !g_.valid_cluster(out.first_cluster)) co_return FsError::Corrupt;
    co_return FsError::None;
  }

  Reader& reader_;
  FatGeometry g_;
};

}  // namespace corokit::fs
