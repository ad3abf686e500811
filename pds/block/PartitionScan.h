// Reading a device's partition table (PROTOCOLS.md §3.6): MBR, and GPT with its header and
// entry-array CRC32s verified and its backup header checked, all with 64-bit sector numbers.
//
// The scan is a state machine that asks for the reads it needs and is fed their bytes, so the same
// code runs in the virtualiser (reads through the driver, from a coroutine) and in tests and the
// fuzzer (reads from memory):
//
//   PartitionScan scan(sector_size, capacity_blocks, buffer_bytes);
//   for (ReadRange r; scan.next(r);) scan.feed(bytes of blocks [r.block, r.block + r.count), ok);
//   const PartitionTable& t = scan.table();
//
// Every field comes from the disk and is untrusted: nothing here trusts a count, an offset or a
// size before checking it against the device. Freestanding.
#pragma once

#include <cstddef>
#include <cstdint>

namespace corokit::block {

inline constexpr uint32_t kMaxPartitions = 128;           // partition slots served (GPT: entries 0..127)
inline constexpr uint64_t kMaxGptEntryBytes = 4u << 20;   // larger entry arrays are refused

enum class TableKind : uint8_t {
  None,     // no MBR signature: the device has no partition table
  Mbr,
  Gpt,
  Invalid,  // a GPT whose primary and backup are both unusable, or a failed read
};

// Why a partition slot is not served.
enum class PartitionProblem : uint8_t {
  None,         // served
  Empty,        // an unused slot
  Extended,     // an MBR extended-partition container (logical partitions are not served)
  Unaligned,    // start or size not a multiple of 4096 bytes
  OutOfBounds,  // outside the device (MBR) or the GPT's usable range
  Reversed,     // GPT: last LBA before the first
};

struct Partition {
  uint64_t first_sector = 0;
  uint64_t sectors = 0;
  uint8_t mbr_type = 0;  // MBR partition type; 0 for GPT
  PartitionProblem problem = PartitionProblem::Empty;

  bool served() const { return problem == PartitionProblem::None; }
};

// Findings about the table as a whole, as bits of PartitionTable::notes.
enum TableNote : uint32_t {
  kNoteDeviceTooSmall = 1u << 0,     // too small to hold a table
  kNoteReadFailed = 1u << 1,         // the device failed a read of the table
  kNoteBadGeometry = 1u << 2,        // a sector size other than 512 or 4096, or over 2^63 bytes
  kNotePrimaryHeaderBad = 1u << 3,   // GPT header at LBA 1: signature, CRC or fields invalid
  kNotePrimaryEntriesBad = 1u << 4,  // its entry array's CRC does not match
  kNoteUsingBackup = 1u << 5,        // the backup GPT (at the last LBA) is used instead
  kNoteBackupBad = 1u << 6,          // the backup header is invalid
  kNoteBackupNotAtEnd = 1u << 7,     // the primary's alternate LBA is not the device's last LBA
  kNoteBackupUnreachable = 1u << 8,  // the backup header lies outside the addressable device
  kNoteBackupDiffers = 1u << 9,      // the backup header describes a different entry array
  kNoteTooManyEntries = 1u << 10,    // used GPT entries beyond the kMaxPartitions served
};
const char* describe(TableNote note);
const char* describe(PartitionProblem problem);

struct PartitionTable {
  TableKind kind = TableKind::None;
  uint32_t sector_size = 512;
  uint32_t count = 0;  // slots: 4 for MBR, min(entries, kMaxPartitions) for GPT
  Partition slots[kMaxPartitions];
  uint32_t notes = 0;  // TableNote bits

  // The partition's start and length in 4096-byte units (valid for served partitions).
  uint64_t first_block(uint32_t slot) const { return slots[slot].first_sector * sector_size / 4096; }
  uint64_t blocks(uint32_t slot) const { return slots[slot].sectors * sector_size / 4096; }
};

// A read in 4096-byte units.
struct ReadRange {
  uint64_t block = 0;
  uint32_t count = 0;
};

class PartitionScan {
 public:
  // `capacity_blocks`: the device size in 4096-byte units; `buffer_bytes`: the most one read may
  // return (at least 8192; rounded down to 4096-byte units).
  PartitionScan(uint32_t sector_size, uint64_t capacity_blocks, uint32_t buffer_bytes);

  // The next read the scan needs, or false when it is finished.
  bool next(ReadRange& read) const;
  // The bytes of the read next() asked for (`size` = count × 4096), or ok = false if it failed.
  void feed(const uint8_t* data, std::size_t size, bool ok);

  bool done() const { return step_ == Step::Done; }
  const PartitionTable& table() const { return table_; }

 private:
  struct GptHeader {
    uint64_t my_lba = 0, alternate_lba = 0, first_usable = 0, last_usable = 0, entries_lba = 0;
    uint32_t entry_count = 0, entry_size = 0, entries_crc = 0;
  };
  enum class Step : uint8_t { Head, PrimaryEntries, BackupHeader, BackupEntries, Done };

  bool parse_header(const uint8_t* p, std::size_t size, uint64_t expected_lba, GptHeader& out) const;
  void parse_mbr(const uint8_t* p);
  void begin_entries(const GptHeader& h, Step step);
  void feed_entries(const uint8_t* p, std::size_t size);
  void parse_entry(const uint8_t* e, uint32_t index);
  void finish_entries();
  void check_backup(const uint8_t* data, std::size_t size);
  void finish(TableKind kind);

  uint32_t sector_size_;
  uint64_t last_lba_ = 0;  // last addressable sector
  uint32_t buffer_blocks_;
  Step step_ = Step::Head;
  bool backup_replaces_ = false;  // BackupHeader: the primary was unusable
  PartitionTable table_;
  PartitionTable staging_;  // entries parsed before their CRC is known
  GptHeader primary_, active_;
  // Streaming the entry array.
  uint64_t entries_start_ = 0;  // byte offset on the device
  uint64_t entries_total_ = 0;  // bytes
  uint64_t entries_done_ = 0;
  uint32_t entries_crc_ = 0;
  uint32_t carry_size_ = 0;     // bytes of a partial entry carried between reads
  uint8_t carry_[4096];
};

}  // namespace corokit::block
