#include "executor/fs/FatFormat.h"

namespace corokit::fs {
namespace {

uint16_t le16(std::span<const uint8_t> b, size_t at) { return uint16_t(b[at] | (b[at + 1] << 8)); }
uint32_t le32(std::span<const uint8_t> b, size_t at) {
  return uint32_t(b[at]) | (uint32_t(b[at + 1]) << 8) | (uint32_t(b[at + 2]) << 16) |
         (uint32_t(b[at + 3]) << 24);
}

bool power_of_two(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

uint8_t short_name_checksum(std::span<const uint8_t> name11) {
  uint8_t sum = 0;
  for (size_t i = 0; i < 11; ++i) sum = uint8_t(((sum & 1) << 7) + (sum >> 1) + name11[i]);
  return sum;
}

// Appends the UTF-8 form of a code point; false when it does not fit.
bool put_utf8(char* out, size_t cap, size_t& n, uint32_t cp) {
  char buf[4];
  size_t k;
  if (cp < 0x80) {
    buf[0] = char(cp);
    k = 1;
  } else if (cp < 0x800) {
    buf[0] = char(0xC0 | (cp >> 6));
    buf[1] = char(0x80 | (cp & 0x3F));
    k = 2;
  } else if (cp < 0x10000) {
    buf[0] = char(0xE0 | (cp >> 12));
    buf[1] = char(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = char(0x80 | (cp & 0x3F));
    k = 3;
  } else {
    buf[0] = char(0xF0 | (cp >> 18));
    buf[1] = char(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = char(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = char(0x80 | (cp & 0x3F));
    k = 4;
  }
  if (n + k >= cap) return false;
  for (size_t i = 0; i < k; ++i) out[n++] = buf[i];
  return true;
}

}  // namespace

const char* to_string(FsError e) {
  switch (e) {
    case FsError::None: return "ok";
    case FsError::NotFat: return "not a FAT volume";
    case FsError::Corrupt: return "the FAT volume is corrupt";
    case FsError::NotFound: return "no such file or directory";
    case FsError::NotADirectory: return "not a directory";
    case FsError::IsADirectory: return "is a directory";
    case FsError::NameTooLong: return "name too long";
    case FsError::Io: return "I/O error";
  }
  return "error";
}

FsError parse_boot_sector(std::span<const uint8_t> s, uint64_t volume_bytes, FatGeometry& g) {
  if (s.size() < 512 || s[510] != 0x55 || s[511] != 0xAA) return FsError::NotFat;
  if (s[0] != 0xEB && s[0] != 0xE9) return FsError::NotFat;
  const uint32_t bps = le16(s, 11);
  const uint32_t spc = s[13];
  const uint32_t reserved = le16(s, 14);
  const uint32_t fats = s[16];
  const uint32_t root_entries = le16(s, 17);
  const uint32_t total16 = le16(s, 19);
  const uint32_t fat16_size = le16(s, 22);
  const uint32_t total32 = le32(s, 32);
  if (bps < 512 || bps > 4096 || !power_of_two(bps)) return FsError::NotFat;
  if (!power_of_two(spc) || spc > 128 || bps * spc > 64 * 1024) return FsError::NotFat;
  if (reserved == 0 || fats == 0 || fats > 4) return FsError::NotFat;
  const uint32_t fat_sectors = fat16_size != 0 ? fat16_size : le32(s, 36);
  const uint64_t total = total16 != 0 ? total16 : total32;
  if (fat_sectors == 0 || total == 0) return FsError::NotFat;
  const uint64_t root_sectors = (uint64_t(root_entries) * 32 + bps - 1) / bps;
  const uint64_t meta = uint64_t(reserved) + uint64_t(fats) * fat_sectors + root_sectors;
  if (meta >= total) return FsError::NotFat;
  const uint64_t clusters = (total - meta) / spc;
  if (clusters == 0 || clusters > 0x0FFFFFF5) return FsError::NotFat;
  if (total * bps > volume_bytes) return FsError::Corrupt;  // the volume claims more than it has

  g.bytes_per_sector = bps;
  g.cluster_bytes = bps * spc;
  g.cluster_count = uint32_t(clusters);
  g.type = clusters < 4085 ? FatType::Fat12 : clusters < 65525 ? FatType::Fat16 : FatType::Fat32;
  g.fat_offset = uint64_t(reserved) * bps;
  g.fat_bytes = uint64_t(fat_sectors) * bps;
  g.root_offset = g.fat_offset + uint64_t(fats) * g.fat_bytes;
  g.root_bytes = root_sectors * bps;
  g.data_offset = g.root_offset + g.root_bytes;
  g.volume_bytes = total * bps;

  // Every cluster needs a FAT entry.
  const uint64_t entries = clusters + 2;
  const uint64_t needed = g.type == FatType::Fat12 ? (entries * 3 + 1) / 2
                          : g.type == FatType::Fat16 ? entries * 2
                                                     : entries * 4;
  if (needed > g.fat_bytes) return FsError::Corrupt;
  if (g.type == FatType::Fat32) {
    if (root_entries != 0 || fat16_size != 0) return FsError::Corrupt;
    g.root_cluster = le32(s, 44) & 0x0FFFFFFF;
    if (!g.valid_cluster(g.root_cluster)) return FsError::Corrupt;
    g.root_bytes = 0;
  } else if (root_entries == 0) {
    return FsError::Corrupt;
  }
  return FsError::None;
}

uint64_t fat_entry_offset(const FatGeometry& g, uint32_t cluster) {
  switch (g.type) {
    case FatType::Fat12: return g.fat_offset + cluster + cluster / 2;
    case FatType::Fat16: return g.fat_offset + uint64_t(cluster) * 2;
    case FatType::Fat32: return g.fat_offset + uint64_t(cluster) * 4;
  }
  return g.fat_offset;
}

unsigned fat_entry_size(const FatGeometry& g) { return g.type == FatType::Fat32 ? 4 : 2; }

FsError next_cluster(const FatGeometry& g, uint32_t cluster, std::span<const uint8_t> e, uint32_t& next) {
  if (e.size() < fat_entry_size(g)) return FsError::Corrupt;
  uint32_t v, end, bad;
  switch (g.type) {
    case FatType::Fat12:
      v = le16(e, 0);
      v = (cluster & 1) ? (v >> 4) : (v & 0xFFF);
      end = 0xFF8;
      bad = 0xFF7;
      break;
    case FatType::Fat16:
      v = le16(e, 0);
      end = 0xFFF8;
      bad = 0xFFF7;
      break;
    default:
      v = le32(e, 0) & 0x0FFFFFFF;
      end = 0x0FFFFFF8;
      bad = 0x0FFFFFF7;
      break;
  }
  if (v >= end) {
    next = 0;
    return FsError::None;
  }
  if (v == bad || !g.valid_cluster(v)) return FsError::Corrupt;
  next = v;
  return FsError::None;
}

DirectoryDecoder::Step DirectoryDecoder::feed(std::span<const uint8_t, 32> r, const FatGeometry& g, DirEntry& out) {
  if (r[0] == 0x00) return Step::End;
  const uint8_t attr = r[11];
  if (r[0] == 0xE5) {
    lfn_expected_ = lfn_total_ = 0;
    return Step::Skip;
  }
  if ((attr & 0x3F) == 0x0F) {  // a long-name record
    const uint8_t ord = r[0];
    const uint8_t seq = ord & 0x1F;
    if (seq == 0 || seq > 20) {
      lfn_expected_ = lfn_total_ = 0;
      return Step::Skip;
    }
    if (ord & 0x40) {
      lfn_total_ = seq;
      lfn_expected_ = seq;
      lfn_checksum_ = r[13];
    } else if (seq != lfn_expected_ || r[13] != lfn_checksum_) {
      lfn_expected_ = lfn_total_ = 0;  // orphaned or out of order: ignored
      return Step::Skip;
    }
    static constexpr uint8_t kUnits[13] = {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30};
    for (int i = 0; i < 13; ++i) lfn_[(seq - 1) * 13 + i] = le16(r, kUnits[i]);
    lfn_expected_ = seq - 1;
    return Step::Skip;
  }
  const bool have_lfn = lfn_total_ != 0 && lfn_expected_ == 0 && short_name_checksum(r.subspan(0, 11)) == lfn_checksum_;
  const uint8_t lfn_total = lfn_total_;
  lfn_expected_ = lfn_total_ = 0;
  if (attr & 0x08) return Step::Skip;                  // volume label
  if (r[0] == '.' && (r[1] == ' ' || r[1] == '.')) return Step::Skip;  // "." and ".."

  out.name_length = 0;
  bool named = false;
  if (have_lfn) {
    named = true;
    for (size_t i = 0; i < size_t(lfn_total) * 13; ++i) {
      uint32_t u = lfn_[i];
      if (u == 0x0000) break;
      if (u >= 0xD800 && u <= 0xDBFF && i + 1 < size_t(lfn_total) * 13 && lfn_[i + 1] >= 0xDC00 &&
          lfn_[i + 1] <= 0xDFFF) {
        u = 0x10000 + ((u - 0xD800) << 10) + (lfn_[i + 1] - 0xDC00);
        ++i;
      } else if (u >= 0xD800 && u <= 0xDFFF) {
        u = 0xFFFD;
      }
      if (u == '/' || !put_utf8(out.name, sizeof out.name, out.name_length, u)) {
        named = false;  // not a usable name: fall back to the short one
        out.name_length = 0;
        break;
      }
    }
    if (out.name_length == 0) named = false;
  }
  if (!named) {
    const bool lower_base = r[12] & 0x08, lower_ext = r[12] & 0x10;
    size_t base_len = 8, ext_len = 3;
    while (base_len > 0 && r[base_len - 1] == ' ') --base_len;
    while (ext_len > 0 && r[8 + ext_len - 1] == ' ') --ext_len;
    if (base_len == 0) return Step::Skip;
    for (size_t i = 0; i < base_len; ++i) {
      char c = char(i == 0 && r[0] == 0x05 ? 0xE5 : r[i]);
      out.name[out.name_length++] = lower_base ? ascii_lower(c) : c;
    }
    if (ext_len != 0) {
      out.name[out.name_length++] = '.';
      for (size_t i = 0; i < ext_len; ++i) {
        char c = char(r[8 + i]);
        out.name[out.name_length++] = lower_ext ? ascii_lower(c) : c;
      }
    }
  }
  out.name[out.name_length] = '\0';
  out.directory = attr & 0x10;
  uint32_t hi = g.type == FatType::Fat32 ? le16(r, 20) : 0;
  out.first_cluster = (hi << 16) | le16(r, 26);
  out.size = le32(r, 28);
  return Step::Entry;
}

bool names_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

}  // namespace corokit::fs
