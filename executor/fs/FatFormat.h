// The on-disk format of FAT12/16/32 volumes (Microsoft's FAT specification), decoded from bytes
// without trusting any of them: every field a volume supplies is checked before it is used, so a
// corrupt or hostile image yields FsError::Corrupt, never a crash or a read outside the volume.
// Pure functions over byte spans; FatVolume.h does the I/O. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace corokit::fs {

enum class FsError : uint8_t {
  None,
  NotFat,         // not a FAT volume (no boot signature, impossible geometry)
  Corrupt,        // a structure of the volume is inconsistent (chain loops, out-of-range cluster)
  NotFound,
  NotADirectory,
  IsADirectory,
  NameTooLong,
  Io,             // the device failed
};
const char* to_string(FsError e);

enum class FatType : uint8_t { Fat12, Fat16, Fat32 };

struct FatGeometry {
  FatType type = FatType::Fat16;
  uint32_t bytes_per_sector = 512;
  uint32_t cluster_bytes = 0;
  uint32_t cluster_count = 0;     // data clusters, numbered 2 .. cluster_count + 1
  uint64_t fat_offset = 0;        // byte offset of the first FAT
  uint64_t fat_bytes = 0;         // size of one FAT
  uint64_t root_offset = 0;       // FAT12/16: the fixed root directory
  uint64_t root_bytes = 0;
  uint32_t root_cluster = 0;      // FAT32: first cluster of the root directory
  uint64_t data_offset = 0;       // byte offset of cluster 2
  uint64_t volume_bytes = 0;

  bool valid_cluster(uint32_t c) const { return c >= 2 && c - 2 < cluster_count; }
  uint64_t cluster_offset(uint32_t c) const { return data_offset + uint64_t(c - 2) * cluster_bytes; }
};

// Decodes and checks the boot sector (the first 512 bytes of the volume) against the volume size.
FsError parse_boot_sector(std::span<const uint8_t> sector, uint64_t volume_bytes, FatGeometry& out);

// Where the FAT entry of `cluster` lies (byte offset from the start of the volume) and how many
// bytes it spans (FAT12 entries straddle bytes: 2; FAT16: 2; FAT32: 4).
uint64_t fat_entry_offset(const FatGeometry& g, uint32_t cluster);
unsigned fat_entry_size(const FatGeometry& g);

// The next cluster after `cluster`, decoded from the entry bytes at fat_entry_offset().
// Returns 0 for end of chain; FsError::Corrupt for a free, bad, reserved or out-of-range entry.
FsError next_cluster(const FatGeometry& g, uint32_t cluster, std::span<const uint8_t> entry,
                     uint32_t& next);

// One directory entry, with its long name when the volume has a valid one (else the 8.3 name).
struct DirEntry {
  char name[256 * 3 + 1];  // UTF-8, NUL-terminated
  size_t name_length = 0;
  bool directory = false;
  uint32_t first_cluster = 0;
  uint32_t size = 0;
  std::string_view view() const { return {name, name_length}; }
};

// Decodes a directory, 32-byte record by record, joining long-name records to their short entry
// (checksums verified; an orphaned or mismatched long name is ignored, as the specification says).
class DirectoryDecoder {
 public:
  enum class Step : uint8_t { Skip, Entry, End };
  // Feeds one record; Entry when `out` holds a complete entry, End at the end-of-directory marker.
  Step feed(std::span<const uint8_t, 32> record, const FatGeometry& g, DirEntry& out);

 private:
  uint16_t lfn_[20 * 13] = {};  // UTF-16 units of the long name being assembled
  uint8_t lfn_checksum_ = 0;
  uint8_t lfn_expected_ = 0;    // next sequence number expected (counting down), 0: none
  uint8_t lfn_total_ = 0;
};

// Case-insensitive comparison of names the way FAT looks them up (ASCII folding).
bool names_equal(std::string_view a, std::string_view b);

}  // namespace corokit::fs
