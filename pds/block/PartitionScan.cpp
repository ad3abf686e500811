#include "pds/block/PartitionScan.h"

#include <cstring>

#include "pds/block/Crc32.h"

namespace corokit::block {
namespace {

constexpr uint32_t kUnit = 4096;

uint32_t le32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
uint64_t le64(const uint8_t* p) { return le32(p) | static_cast<uint64_t>(le32(p + 4)) << 32; }

bool aligned(uint64_t first_sector, uint64_t sectors, uint32_t sector_size) {
  return (first_sector * sector_size) % kUnit == 0 && (sectors * sector_size) % kUnit == 0;
}

}  // namespace

const char* describe(TableNote note) {
  switch (note) {
    case kNoteDeviceTooSmall: return "the device is too small to hold a partition table";
    case kNoteReadFailed: return "reading the partition table failed";
    case kNoteBadGeometry: return "the device reports a sector size other than 512 or 4096, or an impossible size";
    case kNotePrimaryHeaderBad: return "the primary GPT header is invalid (signature, CRC or fields)";
    case kNotePrimaryEntriesBad: return "the primary GPT entry array fails its CRC";
    case kNoteUsingBackup: return "using the backup GPT at the last LBA";
    case kNoteBackupBad: return "the backup GPT header is invalid";
    case kNoteBackupNotAtEnd: return "the backup GPT header is not at the last LBA";
    case kNoteBackupUnreachable: return "the backup GPT header is outside the addressable device";
    case kNoteBackupDiffers: return "the backup GPT header does not match the primary";
    case kNoteTooManyEntries: return "used GPT entries beyond the 128 served are ignored";
  }
  return "unknown";
}

const char* describe(PartitionProblem problem) {
  switch (problem) {
    case PartitionProblem::None: return "served";
    case PartitionProblem::Empty: return "does not exist";
    case PartitionProblem::Extended: return "is an extended partition (logical partitions are not served)";
    case PartitionProblem::Unaligned: return "does not start and end on a 4096-byte boundary";
    case PartitionProblem::OutOfBounds: return "lies outside the device or the GPT's usable range";
    case PartitionProblem::Reversed: return "ends before it starts";
  }
  return "unknown";
}

PartitionScan::PartitionScan(uint32_t sector_size, uint64_t capacity_blocks, uint32_t buffer_bytes)
    : sector_size_(sector_size), buffer_blocks_(buffer_bytes / kUnit) {
  table_.sector_size = sector_size;
  staging_.sector_size = sector_size;
  // Device sizes up to 2^63 bytes: every sector × sector-size product below stays in u64.
  if ((sector_size != 512 && sector_size != 4096) || capacity_blocks > (uint64_t{1} << 51)) {
    table_.notes |= kNoteBadGeometry;
    finish(TableKind::Invalid);
    return;
  }
  const uint64_t head_blocks = sector_size == 512 ? 1 : 2;  // LBA 0 and LBA 1
  if (buffer_blocks_ < 2 || capacity_blocks < head_blocks) {
    table_.notes |= kNoteDeviceTooSmall;
    finish(TableKind::None);
    return;
  }
  last_lba_ = capacity_blocks * (kUnit / sector_size) - 1;
}

bool PartitionScan::next(ReadRange& read) const {
  switch (step_) {
    case Step::Head:
      read = {0, sector_size_ == 512 ? 1u : 2u};
      return true;
    case Step::PrimaryEntries:
    case Step::BackupEntries: {
      const uint64_t at = entries_start_ + entries_done_;
      const uint64_t skip = at % kUnit;
      const uint64_t blocks = (skip + (entries_total_ - entries_done_) + kUnit - 1) / kUnit;
      read = {at / kUnit, static_cast<uint32_t>(blocks < buffer_blocks_ ? blocks : buffer_blocks_)};
      return true;
    }
    case Step::BackupHeader: {
      const uint64_t lba = backup_replaces_ ? last_lba_ : primary_.alternate_lba;
      read = {lba * sector_size_ / kUnit, 1};
      return true;
    }
    case Step::Done:
      return false;
  }
  return false;
}

void PartitionScan::finish(TableKind kind) {
  table_.kind = kind;
  step_ = Step::Done;
}

void PartitionScan::feed(const uint8_t* data, std::size_t size, bool ok) {
  ReadRange expected;
  if (!next(expected)) return;
  if (!ok || size < static_cast<std::size_t>(expected.count) * kUnit) {
    table_.notes |= kNoteReadFailed;
    table_.count = 0;
    finish(TableKind::Invalid);
    return;
  }
  switch (step_) {
    case Step::Head: {
      const uint8_t* mbr = data;
      if (mbr[510] != 0x55 || mbr[511] != 0xAA) {
        finish(TableKind::None);
        return;
      }
      bool protective = false;
      for (int i = 0; i < 4; ++i) protective |= mbr[446 + 16 * i + 4] == 0xEE;
      if (!protective) {
        parse_mbr(mbr);
        return;
      }
      GptHeader h;
      if (parse_header(data + sector_size_, sector_size_, 1, h)) {
        primary_ = h;
        begin_entries(h, Step::PrimaryEntries);
      } else {
        table_.notes |= kNotePrimaryHeaderBad;
        backup_replaces_ = true;
        step_ = Step::BackupHeader;
      }
      return;
    }
    case Step::PrimaryEntries:
    case Step::BackupEntries:
      feed_entries(data, size);
      return;
    case Step::BackupHeader:
      check_backup(data, size);
      return;
    case Step::Done:
      return;
  }
}

void PartitionScan::parse_mbr(const uint8_t* mbr) {
  const uint64_t device_sectors = last_lba_ + 1;
  table_.count = 4;
  for (uint32_t i = 0; i < 4; ++i) {
    const uint8_t* e = mbr + 446 + 16 * i;
    Partition& p = table_.slots[i];
    p.mbr_type = e[4];
    p.first_sector = le32(e + 8);
    p.sectors = le32(e + 12);
    if (p.mbr_type == 0 || p.sectors == 0) {
      p.problem = PartitionProblem::Empty;
    } else if (p.mbr_type == 0x05 || p.mbr_type == 0x0F || p.mbr_type == 0x85) {
      p.problem = PartitionProblem::Extended;
    } else if (p.first_sector == 0 || p.sectors > device_sectors || p.first_sector > device_sectors - p.sectors) {
      p.problem = PartitionProblem::OutOfBounds;
    } else if (!aligned(p.first_sector, p.sectors, sector_size_)) {
      p.problem = PartitionProblem::Unaligned;
    } else {
      p.problem = PartitionProblem::None;
    }
  }
  finish(TableKind::Mbr);
}

bool PartitionScan::parse_header(const uint8_t* p, std::size_t size, uint64_t expected_lba, GptHeader& h) const {
  if (size < 92 || std::memcmp(p, "EFI PART", 8) != 0) return false;
  const uint32_t header_size = le32(p + 12);
  if (header_size < 92 || header_size > sector_size_ || header_size > size) return false;
  const uint8_t zero[4] = {0, 0, 0, 0};
  uint32_t crc = crc32(0, p, 16);
  crc = crc32(crc, zero, 4);
  crc = crc32(crc, p + 20, header_size - 20);
  if (crc != le32(p + 16)) return false;
  h.my_lba = le64(p + 24);
  h.alternate_lba = le64(p + 32);
  h.first_usable = le64(p + 40);
  h.last_usable = le64(p + 48);
  h.entries_lba = le64(p + 72);
  h.entry_count = le32(p + 80);
  h.entry_size = le32(p + 84);
  h.entries_crc = le32(p + 88);
  if (h.my_lba != expected_lba) return false;
  if (h.first_usable > h.last_usable || h.last_usable > last_lba_) return false;
  if (h.entry_size < 128 || h.entry_size > 4096 || (h.entry_size & (h.entry_size - 1)) != 0) return false;
  const uint64_t total = static_cast<uint64_t>(h.entry_count) * h.entry_size;
  if (total > kMaxGptEntryBytes) return false;
  // The entry array lies on the device: [entries_lba × sector, + total) within (last_lba + 1) sectors.
  if (h.entries_lba > last_lba_) return false;
  const uint64_t device_bytes = (last_lba_ + 1) * sector_size_;
  const uint64_t start = h.entries_lba * sector_size_;
  if (total > device_bytes - start) return false;
  return true;
}

void PartitionScan::begin_entries(const GptHeader& h, Step step) {
  active_ = h;
  staging_ = PartitionTable{};
  staging_.sector_size = sector_size_;
  staging_.count = h.entry_count < kMaxPartitions ? h.entry_count : kMaxPartitions;
  entries_start_ = h.entries_lba * sector_size_;
  entries_total_ = static_cast<uint64_t>(h.entry_count) * h.entry_size;
  entries_done_ = 0;
  entries_crc_ = 0;
  carry_size_ = 0;
  step_ = step;
  if (entries_total_ == 0) finish_entries();
}

void PartitionScan::feed_entries(const uint8_t* data, std::size_t size) {
  const uint64_t skip = (entries_start_ + entries_done_) % kUnit;
  uint64_t usable = size - skip;
  if (usable > entries_total_ - entries_done_) usable = entries_total_ - entries_done_;
  const uint8_t* p = data + skip;
  entries_crc_ = crc32(entries_crc_, p, usable);
  const uint32_t esize = active_.entry_size;
  uint64_t index = (entries_done_ - carry_size_) / esize;
  entries_done_ += usable;
  // Complete an entry split across reads first, then whole entries, then carry the rest.
  if (carry_size_ != 0) {
    const uint64_t need = esize - carry_size_;
    const uint64_t take = need < usable ? need : usable;
    std::memcpy(carry_ + carry_size_, p, take);
    carry_size_ += static_cast<uint32_t>(take);
    p += take;
    usable -= take;
    if (carry_size_ < esize) return;
    parse_entry(carry_, static_cast<uint32_t>(index++));
    carry_size_ = 0;
  }
  for (; usable >= esize; usable -= esize, p += esize) parse_entry(p, static_cast<uint32_t>(index++));
  std::memcpy(carry_, p, usable);
  carry_size_ = static_cast<uint32_t>(usable);
  if (entries_done_ == entries_total_) finish_entries();
}

void PartitionScan::parse_entry(const uint8_t* e, uint32_t index) {
  bool used = false;
  for (int i = 0; i < 16; ++i) used |= e[i] != 0;
  if (!used) return;  // slots start Empty
  if (index >= kMaxPartitions) {
    staging_.notes |= kNoteTooManyEntries;
    return;
  }
  Partition& p = staging_.slots[index];
  const uint64_t first = le64(e + 32);
  const uint64_t last = le64(e + 40);
  p.first_sector = first;
  p.sectors = last >= first ? last - first + 1 : 0;
  if (last < first) {
    p.problem = PartitionProblem::Reversed;
  } else if (first < active_.first_usable || last > active_.last_usable) {
    p.problem = PartitionProblem::OutOfBounds;
  } else if (!aligned(p.first_sector, p.sectors, sector_size_)) {
    p.problem = PartitionProblem::Unaligned;
  } else {
    p.problem = PartitionProblem::None;
  }
}

void PartitionScan::finish_entries() {
  const bool crc_ok = entries_crc_ == active_.entries_crc;
  if (step_ == Step::PrimaryEntries) {
    if (crc_ok) {
      const uint32_t notes = table_.notes | staging_.notes;
      table_ = staging_;
      table_.notes = notes;
      table_.kind = TableKind::Gpt;
      // Check the backup header where the primary says it is.
      if (primary_.alternate_lba != last_lba_) table_.notes |= kNoteBackupNotAtEnd;
      if (primary_.alternate_lba > last_lba_ || primary_.alternate_lba < 2) {
        table_.notes |= kNoteBackupUnreachable;
        finish(TableKind::Gpt);
        return;
      }
      backup_replaces_ = false;
      step_ = Step::BackupHeader;
      return;
    }
    table_.notes |= kNotePrimaryEntriesBad;
    backup_replaces_ = true;
    step_ = Step::BackupHeader;
    return;
  }
  // Backup entries (the primary was unusable).
  if (crc_ok) {
    const uint32_t notes = table_.notes | staging_.notes;
    table_ = staging_;
    table_.notes = notes;
    finish(TableKind::Gpt);
  } else {
    table_.notes |= kNoteBackupBad;
    table_.count = 0;
    finish(TableKind::Invalid);
  }
}

void PartitionScan::check_backup(const uint8_t* data, std::size_t size) {
  const uint64_t lba = backup_replaces_ ? last_lba_ : primary_.alternate_lba;
  const uint64_t offset = lba * sector_size_ % kUnit;
  GptHeader h;
  const bool valid = parse_header(data + offset, size - offset, lba, h);
  if (!backup_replaces_) {
    if (!valid) {
      table_.notes |= kNoteBackupBad;
    } else if (h.entries_crc != primary_.entries_crc || h.entry_count != primary_.entry_count ||
               h.entry_size != primary_.entry_size || h.alternate_lba != 1) {
      table_.notes |= kNoteBackupDiffers;
    }
    finish(TableKind::Gpt);
    return;
  }
  if (!valid) {
    table_.notes |= kNoteBackupBad;
    table_.count = 0;
    finish(TableKind::Invalid);
    return;
  }
  table_.notes |= kNoteUsingBackup;
  begin_entries(h, Step::BackupEntries);
}

}  // namespace corokit::block
