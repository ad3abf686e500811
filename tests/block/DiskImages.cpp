#include "tests/block/DiskImages.h"

#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace corokit::testing {
namespace {

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void put64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get32(const uint8_t* p) { return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24; }
uint64_t get64(const uint8_t* p) { return get32(p) | static_cast<uint64_t>(get32(p + 4)) << 32; }

void write_header(std::vector<uint8_t>& disk, uint32_t ss, uint64_t lba, uint64_t alternate, uint64_t entries_lba,
                  uint64_t first_usable, uint64_t last_usable, uint32_t count, uint32_t size, uint32_t entries_crc) {
  uint8_t* h = disk.data() + lba * ss;
  std::memset(h, 0, ss);
  std::memcpy(h, "EFI PART", 8);
  put32(h + 8, 0x00010000);
  put32(h + 12, 92);
  put64(h + 24, lba);
  put64(h + 32, alternate);
  put64(h + 40, first_usable);
  put64(h + 48, last_usable);
  for (int i = 0; i < 16; ++i) h[56 + i] = static_cast<uint8_t>(0x40 + i);
  put64(h + 72, entries_lba);
  put32(h + 80, count);
  put32(h + 84, size);
  put32(h + 88, entries_crc);
  put32(h + 16, static_cast<uint32_t>(crc32(0, h, 92)));
}

}  // namespace

std::vector<uint8_t> make_gpt(uint64_t sectors, uint32_t ss, const std::vector<GptPart>& parts, uint32_t entry_count,
                              uint32_t entry_size) {
  std::vector<uint8_t> disk(sectors * ss, 0);
  // Protective MBR.
  uint8_t* e = disk.data() + 446;
  e[4] = 0xEE;
  put32(e + 8, 1);
  put32(e + 12, static_cast<uint32_t>(sectors - 1 > 0xffffffffu ? 0xffffffffu : sectors - 1));
  disk[510] = 0x55;
  disk[511] = 0xAA;
  const uint64_t array_bytes = static_cast<uint64_t>(entry_count) * entry_size;
  const uint64_t array_sectors = (array_bytes + ss - 1) / ss;
  std::vector<uint8_t> array(array_sectors * ss, 0);
  for (size_t i = 0; i < parts.size(); ++i) {
    uint8_t* p = array.data() + i * entry_size;
    for (int k = 0; k < 16; ++k) p[k] = static_cast<uint8_t>(0xA0 + k);       // type GUID
    for (int k = 0; k < 16; ++k) p[16 + k] = static_cast<uint8_t>(i + k + 1);  // unique GUID
    put64(p + 32, parts[i].first_lba);
    put64(p + 40, parts[i].last_lba);
  }
  const uint32_t crc = static_cast<uint32_t>(crc32(0, array.data(), static_cast<uInt>(array_bytes)));
  const uint64_t last = sectors - 1;
  const uint64_t first_usable = 2 + array_sectors;
  const uint64_t last_usable = last - 1 - array_sectors;
  std::memcpy(disk.data() + 2 * ss, array.data(), array.size());
  std::memcpy(disk.data() + (last - array_sectors) * ss, array.data(), array.size());
  write_header(disk, ss, 1, last, 2, first_usable, last_usable, entry_count, entry_size, crc);
  write_header(disk, ss, last, 1, last - array_sectors, first_usable, last_usable, entry_count, entry_size, crc);
  return disk;
}

void fix_gpt_header_crc(std::vector<uint8_t>& disk, uint32_t ss, uint64_t lba) {
  uint8_t* h = disk.data() + lba * ss;
  const uint64_t entries_lba = get64(h + 72);
  const uint64_t bytes = static_cast<uint64_t>(get32(h + 80)) * get32(h + 84);
  put32(h + 88, static_cast<uint32_t>(crc32(0, disk.data() + entries_lba * ss, static_cast<uInt>(bytes))));
  put32(h + 16, 0);
  put32(h + 16, static_cast<uint32_t>(crc32(0, h, get32(h + 12))));
}

std::vector<uint8_t> make_mbr(uint64_t sectors, const std::vector<MbrPart>& parts) {
  std::vector<uint8_t> disk(sectors * 512, 0);
  for (size_t i = 0; i < parts.size() && i < 4; ++i) {
    uint8_t* e = disk.data() + 446 + 16 * i;
    e[4] = parts[i].type;
    put32(e + 8, parts[i].first);
    put32(e + 12, parts[i].sectors);
  }
  disk[510] = 0x55;
  disk[511] = 0xAA;
  return disk;
}

block::PartitionTable scan_image(const std::vector<uint8_t>& disk, uint32_t ss, uint32_t buffer) {
  block::PartitionScan scan(ss, disk.size() / 4096, buffer);
  std::vector<uint8_t> bytes;
  for (block::ReadRange r; scan.next(r);) {
    const uint64_t at = r.block * 4096;
    const uint64_t n = static_cast<uint64_t>(r.count) * 4096;
    const bool ok = at + n <= disk.size();
    bytes.assign(n, 0);
    if (ok) std::memcpy(bytes.data(), disk.data() + at, n);
    scan.feed(bytes.data(), bytes.size(), ok);
  }
  return scan.table();
}

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

block::PartitionTable scan_file(const std::string& path, uint32_t ss) { return scan_image(read_file(path), ss); }

int sh(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string temp_dir() {
  // A char array, not a std::string: the exit handler runs after the destructors of statics made
  // after it was registered, and must still see the name.
  static char dir[] = "/tmp/corokit-block-XXXXXX";
  static const bool made = [] {
    if (mkdtemp(dir) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    });
    return true;
  }();
  (void)made;
  return dir;
}

bool have_tool(const std::string& name) { return sh("command -v " + name + " >/dev/null 2>&1") == 0; }

}  // namespace corokit::testing
