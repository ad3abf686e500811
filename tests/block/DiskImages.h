// Test support: disk images with partition tables, built in memory (CRCs by zlib, independent of
// the code under test) or on disk with the standard tools (sfdisk, sgdisk, dd).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pds/block/PartitionScan.h"

namespace corokit::testing {

struct GptPart {
  uint64_t first_lba;
  uint64_t last_lba;
};

// A GPT disk of `sectors` sectors: protective MBR, primary header at LBA 1 with its entry array at
// LBA 2, backup entries and header at the end. Entries are placed in slots 0, 1, ...
std::vector<uint8_t> make_gpt(uint64_t sectors, uint32_t sector_size, const std::vector<GptPart>& parts,
                              uint32_t entry_count = 128, uint32_t entry_size = 128);
// Recomputes the CRCs of the header at `lba` (after a test edited it or its entries).
void fix_gpt_header_crc(std::vector<uint8_t>& disk, uint32_t sector_size, uint64_t lba);

struct MbrPart {
  uint8_t type;
  uint32_t first;
  uint32_t sectors;
};
std::vector<uint8_t> make_mbr(uint64_t sectors, const std::vector<MbrPart>& parts);

// Runs the scan over an image in memory, as the virtualiser does over the device.
block::PartitionTable scan_image(const std::vector<uint8_t>& disk, uint32_t sector_size, uint32_t buffer = 64 * 1024);
block::PartitionTable scan_file(const std::string& path, uint32_t sector_size);

// Shell helpers: run a command (sh -c), its exit status; a temporary directory removed at exit.
int sh(const std::string& command);
std::string temp_dir();
bool have_tool(const std::string& name);
std::vector<uint8_t> read_file(const std::string& path);

}  // namespace corokit::testing
