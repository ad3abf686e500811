// Partition tables (PROTOCOLS.md §3.6): MBR, GPT with CRC checks and the backup header, 64-bit
// LBAs, 512- and 4096-byte sectors, unaligned and out-of-range partitions; images from the
// standard tools parse as they describe them.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <random>

#include "pds/block/Crc32.h"
#include "pds/block/PartitionScan.h"
#include "tests/block/DiskImages.h"

namespace corokit::testing {
namespace {

using block::PartitionProblem;
using block::TableKind;

constexpr uint64_t kSectors = 64 * 2048;  // 64 MiB of 512-byte sectors

TEST(Crc32, MatchesZlibIncludingContinuation) {
  std::mt19937 rng(1);
  std::vector<uint8_t> data(10000);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  for (size_t n : {0u, 1u, 3u, 92u, 4096u, 10000u}) {
    EXPECT_EQ(block::crc32(0, data.data(), n), crc32(0, data.data(), static_cast<uInt>(n))) << n;
  }
  const uint32_t split = block::crc32(block::crc32(0, data.data(), 1234), data.data() + 1234, 10000 - 1234);
  EXPECT_EQ(split, crc32(0, data.data(), 10000));
}

TEST(PartitionScan, GptPartitionsIn4KiBUnits) {
  auto disk = make_gpt(kSectors, 512, {{2048, 2048 + 16383}, {18432, 18432 + 16383}});
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_EQ(t.notes, 0u);
  EXPECT_EQ(t.count, 128u);
  ASSERT_TRUE(t.slots[0].served());
  ASSERT_TRUE(t.slots[1].served());
  EXPECT_FALSE(t.slots[2].served());
  EXPECT_EQ(t.slots[2].problem, PartitionProblem::Empty);
  EXPECT_EQ(t.first_block(0), 2048u / 8);
  EXPECT_EQ(t.blocks(0), 16384u / 8);
  EXPECT_EQ(t.first_block(1), 18432u / 8);
}

TEST(PartitionScan, GptWith4096ByteSectors) {
  auto disk = make_gpt(16384, 4096, {{256, 256 + 1023}});
  auto t = scan_image(disk, 4096);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_EQ(t.notes, 0u);
  ASSERT_TRUE(t.slots[0].served());
  EXPECT_EQ(t.first_block(0), 256u);
  EXPECT_EQ(t.blocks(0), 1024u);
}

TEST(PartitionScan, SixtyFourBitLbasBeyondTwoTiB) {
  // A sparse picture: only the sectors the scan reads matter, so build a small disk and scan it
  // as if it were 4 TiB by placing the partition's LBAs above 2^32 in a table checked against a
  // large device. The entry array's CRC covers the 64-bit fields.
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  uint8_t* entry = disk.data() + 2 * 512;
  const uint64_t first = (uint64_t{1} << 33) + 2048;  // 4 TiB + 1 MiB
  std::memcpy(entry + 32, &first, 8);
  const uint64_t last = first + 2047;
  std::memcpy(entry + 40, &last, 8);
  fix_gpt_header_crc(disk, 512, 1);
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_EQ(t.slots[0].first_sector, first) << "no truncation to 32 bits";
  EXPECT_EQ(t.slots[0].problem, PartitionProblem::OutOfBounds) << "but it lies past this device";
}

TEST(PartitionScan, PrimaryHeaderWithBadCrcFallsBackToTheBackup) {
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  disk[512 + 40] ^= 1;  // first usable LBA changed behind the CRC's back
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_TRUE(t.notes & block::kNotePrimaryHeaderBad);
  EXPECT_TRUE(t.notes & block::kNoteUsingBackup);
  EXPECT_TRUE(t.slots[0].served());
}

TEST(PartitionScan, PrimaryEntriesWithBadCrcFallBackToTheBackup) {
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  disk[2 * 512 + 32] ^= 8;  // the primary entry's first LBA: the backup array still has 2048
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_TRUE(t.notes & block::kNotePrimaryEntriesBad);
  EXPECT_TRUE(t.notes & block::kNoteUsingBackup);
  EXPECT_EQ(t.slots[0].first_sector, 2048u);
}

TEST(PartitionScan, BadBackupHeaderIsReportedAndThePrimaryUsed) {
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  disk[(kSectors - 1) * 512 + 3] ^= 0xff;  // signature
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_TRUE(t.notes & block::kNoteBackupBad);
  EXPECT_FALSE(t.notes & block::kNoteUsingBackup);
  EXPECT_TRUE(t.slots[0].served());
}

TEST(PartitionScan, BackupThatDescribesOtherEntriesIsReported) {
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  uint8_t* backup_entry = disk.data() + (kSectors - 33) * 512;
  backup_entry[32] ^= 8;
  fix_gpt_header_crc(disk, 512, kSectors - 1);
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_TRUE(t.notes & block::kNoteBackupDiffers);
}

TEST(PartitionScan, BackupNotAtTheLastLbaIsReported) {
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  disk.resize(disk.size() + 1024 * 1024);  // the disk grew; the table was not moved
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_TRUE(t.notes & block::kNoteBackupNotAtEnd);
  EXPECT_FALSE(t.notes & block::kNoteBackupBad) << "the backup is where the primary says";
}

TEST(PartitionScan, BothHeadersBadMeansNoPartitions) {
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  disk[512 + 40] ^= 1;
  disk[(kSectors - 1) * 512 + 40] ^= 1;
  auto t = scan_image(disk, 512);
  EXPECT_EQ(t.kind, TableKind::Invalid);
  EXPECT_EQ(t.count, 0u);
  EXPECT_TRUE(t.notes & block::kNoteBackupBad);
}

TEST(PartitionScan, BadPartitionsAreNotServed) {
  auto disk = make_gpt(kSectors, 512,
                       {{2049, 4096},              // unaligned start
                        {4096, 4096 + 100},        // unaligned size
                        {8192, 4000},              // reversed
                        {16, 2047},                // over the entry array
                        {kSectors - 8, kSectors - 1},  // over the backup
                        {8192, 16383}});
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_EQ(t.slots[0].problem, PartitionProblem::Unaligned);
  EXPECT_EQ(t.slots[1].problem, PartitionProblem::Unaligned);
  EXPECT_EQ(t.slots[2].problem, PartitionProblem::Reversed);
  EXPECT_EQ(t.slots[3].problem, PartitionProblem::OutOfBounds);
  EXPECT_EQ(t.slots[4].problem, PartitionProblem::OutOfBounds);
  EXPECT_TRUE(t.slots[5].served());
}

TEST(PartitionScan, LargeEntryArraysAreReadInChunksAndEntriesBeyond128Noted) {
  // 256 entries of 256 bytes = 64 KiB, read through a 8 KiB buffer; entry 200 is used.
  auto disk = make_gpt(kSectors, 512, {}, 256, 256);
  // Put a partition into slot 0 and slot 200, then fix the CRCs of both tables.
  for (uint64_t array : {uint64_t{2}, kSectors - 1 - 128}) {
    for (uint32_t slot : {0u, 200u}) {
      uint8_t* e = disk.data() + array * 512 + slot * 256;
      for (int k = 0; k < 16; ++k) e[k] = 0xA0;
      const uint64_t first = 2048 + slot * 8;
      const uint64_t last = first + 7;
      std::memcpy(e + 32, &first, 8);
      std::memcpy(e + 40, &last, 8);
    }
  }
  fix_gpt_header_crc(disk, 512, 1);
  fix_gpt_header_crc(disk, 512, kSectors - 1);
  auto t = scan_image(disk, 512, 8192);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_TRUE(t.slots[0].served());
  EXPECT_EQ(t.count, 128u);
  EXPECT_TRUE(t.notes & block::kNoteTooManyEntries);
  EXPECT_FALSE(t.notes & block::kNotePrimaryEntriesBad);
}

TEST(PartitionScan, MbrPrimaryPartitions) {
  auto disk = make_mbr(kSectors, {{0x83, 2048, 8192}, {0x05, 10240, 8192}, {0x0c, 20001, 800}, {0x83, 30720, 1u << 30}});
  auto t = scan_image(disk, 512);
  ASSERT_EQ(t.kind, TableKind::Mbr);
  EXPECT_EQ(t.count, 4u);
  EXPECT_TRUE(t.slots[0].served());
  EXPECT_EQ(t.first_block(0), 256u);
  EXPECT_EQ(t.blocks(0), 1024u);
  EXPECT_EQ(t.slots[1].problem, PartitionProblem::Extended);
  EXPECT_EQ(t.slots[2].problem, PartitionProblem::Unaligned);
  EXPECT_EQ(t.slots[3].problem, PartitionProblem::OutOfBounds);
}

TEST(PartitionScan, NoSignatureMeansNoTable) {
  std::vector<uint8_t> disk(kSectors * 512, 0);
  auto t = scan_image(disk, 512);
  EXPECT_EQ(t.kind, TableKind::None);
  EXPECT_EQ(t.count, 0u);
}

TEST(PartitionScan, AFailedReadMakesTheTableInvalid) {
  auto disk = make_gpt(kSectors, 512, {{2048, 4095}});
  block::PartitionScan scan(512, disk.size() / 4096, 65536);
  block::ReadRange r;
  ASSERT_TRUE(scan.next(r));
  scan.feed(nullptr, 0, false);
  EXPECT_TRUE(scan.done());
  EXPECT_EQ(scan.table().kind, TableKind::Invalid);
  EXPECT_TRUE(scan.table().notes & block::kNoteReadFailed);
}

TEST(PartitionScan, ImpossibleGeometryIsRefused) {
  block::PartitionScan odd(1000, 100, 65536);
  EXPECT_TRUE(odd.done());
  EXPECT_TRUE(odd.table().notes & block::kNoteBadGeometry);
  block::PartitionScan huge(512, ~uint64_t{0}, 65536);
  EXPECT_TRUE(huge.done());
  EXPECT_EQ(huge.table().kind, TableKind::Invalid);
}

TEST(PartitionScan, RandomBytesNeverCrashIt) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 300; ++round) {
    auto disk = make_gpt(4096, 512, {{64, 127}});
    // Flip random bytes in the tables (headers, arrays, MBR).
    for (int k = 0; k < 8; ++k) {
      const uint64_t areas[] = {0, 512, 1024, 4096 * 512 - 512, (4096 - 33) * 512};
      const uint64_t at = areas[rng() % 5] + rng() % 512;
      disk[at] = static_cast<uint8_t>(rng());
    }
    auto t = scan_image(disk, 512, 8192);
    for (uint32_t i = 0; i < t.count; ++i) {
      if (!t.slots[i].served()) continue;
      EXPECT_LE(t.first_block(i) + t.blocks(i), disk.size() / 4096) << "a served partition lies on the device";
    }
  }
}

// Images made by the standard tools.

TEST(PartitionScan, ImagesFromSfdiskAndSgdisk) {
  if (!have_tool("sfdisk") || !have_tool("sgdisk")) GTEST_SKIP() << "sfdisk/sgdisk missing (scripts/setup installs fdisk, gdisk)";
  const std::string dir = temp_dir();
  const std::string gpt = dir + "/sfdisk-gpt.img";
  ASSERT_EQ(sh("dd if=/dev/zero of=" + gpt + " bs=1M count=32 status=none && "
               "printf 'label: gpt\\nstart=2048, size=8192\\nstart=10240, size=20480\\n' | sfdisk --quiet " + gpt),
            0);
  auto t = scan_file(gpt, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_EQ(t.notes, 0u);
  EXPECT_EQ(t.first_block(0), 256u);
  EXPECT_EQ(t.blocks(0), 1024u);
  EXPECT_EQ(t.first_block(1), 1280u);
  EXPECT_EQ(t.blocks(1), 2560u);

  const std::string sg = dir + "/sgdisk.img";
  ASSERT_EQ(sh("dd if=/dev/zero of=" + sg + " bs=1M count=32 status=none && "
               "sgdisk -n 1:2048:+4M -n 2:0:+8M -n 3:0:+4M " + sg + " >/dev/null 2>&1"),
            0);
  t = scan_file(sg, 512);
  ASSERT_EQ(t.kind, TableKind::Gpt);
  EXPECT_EQ(t.notes, 0u);
  EXPECT_TRUE(t.slots[0].served());
  EXPECT_TRUE(t.slots[1].served());
  EXPECT_TRUE(t.slots[2].served());
  EXPECT_EQ(t.blocks(0), 1024u);

  const std::string mbr = dir + "/sfdisk-mbr.img";
  ASSERT_EQ(sh("dd if=/dev/zero of=" + mbr + " bs=1M count=32 status=none && "
               "printf 'label: dos\\nstart=2048, size=8192, type=83\\nstart=10240, size=8192, type=c\\n' | "
               "sfdisk --quiet " + mbr),
            0);
  t = scan_file(mbr, 512);
  ASSERT_EQ(t.kind, TableKind::Mbr);
  EXPECT_TRUE(t.slots[0].served());
  EXPECT_TRUE(t.slots[1].served());
  EXPECT_EQ(t.first_block(1), 1280u);
}

}  // namespace
}  // namespace corokit::testing
