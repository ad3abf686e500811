// Whole systems with a real disk image made by the standard tools (sfdisk, dd): several clients
// doing random I/O with checksums at once, each confined to its partition; the example system;
// and what `corokit run --disk` refuses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>

#include "system/runtime/DiskBackend.h"
#include "tests/block/BlockSystem.h"
#include "tests/block/DiskImages.h"
#include "tests/block/pds/BlockRecord.h"

namespace corokit::testing {
namespace {

using ::testing::HasSubstr;

#define SKIP_WITHOUT_TOOLS()                                                                   \
  do {                                                                                         \
    const std::string why = runtime::io_uring_unavailable_reason();                            \
    if (!why.empty()) GTEST_SKIP() << why;                                                     \
    if (!have_tool("sfdisk")) GTEST_SKIP() << "sfdisk missing (scripts/setup installs fdisk)"; \
  } while (0)

const std::string kSystems = std::string(COROKIT_SOURCE_DIR) + "/tests/block/systems/";

struct Part {
  uint64_t first_sector, sectors;
  uint64_t first_block() const { return first_sector / 8; }
  uint64_t blocks() const { return sectors / 8; }
};

// 64 MiB, GPT: partitions of 8, 8 and 4 MiB; the third filled with "RO-BLOCK" + block number.
std::string make_stress_disk(const std::vector<Part>& parts) {
  const std::string path = temp_dir() + "/stress.img";
  std::string table = "label: gpt\\n";
  for (const Part& p : parts) table += "start=" + std::to_string(p.first_sector) + ", size=" + std::to_string(p.sectors) + "\\n";
  EXPECT_EQ(sh("dd if=/dev/zero of=" + path + " bs=1M count=64 status=none && printf '" + table + "' | sfdisk --quiet " + path), 0);
  const std::string pattern = temp_dir() + "/ro.pattern";
  {
    std::ofstream out(pattern, std::ios::binary);
    std::vector<char> block(4096, 0);
    for (uint64_t b = 0; b < parts[2].blocks(); ++b) {
      std::memcpy(block.data(), "RO-BLOCK", 8);
      std::memcpy(block.data() + 8, &b, 8);
      out.write(block.data(), 4096);
    }
  }
  EXPECT_EQ(sh("dd if=" + pattern + " of=" + path + " bs=4096 seek=" + std::to_string(parts[2].first_block()) +
               " conv=notrunc status=none"),
            0);
  return path;
}

TEST(BlockSystem, StressClientsAtOnceEachConfinedToItsPartition) {
  SKIP_WITHOUT_TOOLS();
  const std::vector<Part> parts = {{2048, 16384}, {18432, 16384}, {34816, 8192}};
  const std::string disk = make_stress_disk(parts);
  const std::vector<uint8_t> before = read_file(disk);
  Result<image::SystemImage> img = pack_block_system(kSystems + "stress.system");
  ASSERT_TRUE(img) << img.error();
  runtime::RunOptions o = block_run_options();
  o.until_idle = true;
  o.disks.push_back(disk_option(disk));
  BlockRun run = run_block_system(*img, o);
  SCOPED_TRACE(run.output);
  EXPECT_EQ(run.result.exit_code, 0);
  EXPECT_TRUE(lines_with(run, "FAIL").empty());
  EXPECT_THAT(run.output, HasSubstr("partition table: GPT, 3 partitions served"));
  std::map<int, uint32_t> tags;
  for (int c = 0; c < 3; ++c) {
    auto ok = lines_with(run, "c" + std::to_string(c) + "|INFO: stress: ok tag 0x");
    ASSERT_EQ(ok.size(), 1u) << "client " << c;
    tags[c] = static_cast<uint32_t>(std::stoul(ok[0].substr(ok[0].find("0x") + 2, 8), nullptr, 16));
  }
  // On the image: every record in a partition was written by that partition's client at that
  // block; the read-only partition and everything outside the partitions are unchanged.
  const std::vector<uint8_t> after = read_file(disk);
  ASSERT_EQ(after.size(), before.size());
  std::vector<int> owner(after.size() / 4096, -1);
  for (int c = 0; c < 3; ++c) {
    for (uint64_t b = 0; b < parts[c].blocks(); ++b) owner[parts[c].first_block() + b] = c;
  }
  uint64_t records[2] = {0, 0};
  for (uint64_t b = 0; b < owner.size(); ++b) {
    const uint8_t* now = after.data() + b * 4096;
    if (owner[b] < 0 || owner[b] == 2) {
      ASSERT_EQ(std::memcmp(now, before.data() + b * 4096, 4096), 0) << "block " << b << " outside the writable partitions changed";
      continue;
    }
    const int c = owner[b];
    RecordHeader h;
    if (!read_record(now, h)) {
      ASSERT_EQ(std::memcmp(now, before.data() + b * 4096, 4096), 0) << "block " << b << " is neither a record nor untouched";
      continue;
    }
    ++records[c];
    ASSERT_EQ(h.tag, tags[c]) << "block " << b << " of partition " << c << " was written by another client";
    ASSERT_EQ(h.block, b - parts[c].first_block()) << "block " << b << " holds a record for another block";
  }
  EXPECT_GT(records[0], 300u);
  EXPECT_GT(records[1], 300u);
}

std::string example_disk() {
  const std::string path = temp_dir() + "/disk.img";
  EXPECT_EQ(sh(std::string(COROKIT_SOURCE_DIR) + "/examples/block/make-disk.sh " + path), 0);
  return path;
}

Result<image::SystemImage> example_image() {
  return pack_block_system(std::string(COROKIT_SOURCE_DIR) + "/examples/block/block.system", {COROKIT_EXAMPLES_BLOCK});
}

TEST(BlockSystem, TheExampleRunsAndItsNoteSurvivesARestart) {
  SKIP_WITHOUT_TOOLS();
  const std::string disk = example_disk();
  Result<image::SystemImage> img = example_image();
  ASSERT_TRUE(img) << img.error();
  runtime::RunOptions o = block_run_options(30);
  o.until_idle = true;
  o.disks.push_back(disk_option(disk));
  for (int run_number = 1; run_number <= 2; ++run_number) {
    BlockRun run = run_block_system(*img, o);
    SCOPED_TRACE(run.output);
    EXPECT_EQ(run.result.exit_code, 0);
    EXPECT_THAT(run.output, HasSubstr("note written and flushed: run " + std::to_string(run_number) +
                                      ", on disk: \"corokit was here\""));
    EXPECT_THAT(run.output, HasSubstr("first line: \"Hello from partition 1 of disk.img\""));
    EXPECT_THAT(run.output, HasSubstr("a write is answered with status 2 (refused)"));
  }
}

TEST(BlockSystem, AReadOnlyDiskRefusesWrites) {
  SKIP_WITHOUT_TOOLS();
  const std::string disk = example_disk();
  Result<image::SystemImage> img = example_image();
  ASSERT_TRUE(img) << img.error();
  runtime::RunOptions o = block_run_options(30);
  o.until_idle = true;
  o.disks.push_back(disk_option(disk, true));
  BlockRun run = run_block_system(*img, o);
  SCOPED_TRACE(run.output);
  EXPECT_THAT(run.output, HasSubstr("read-only"));
  EXPECT_THAT(run.output, HasSubstr("write failed: status 2"));
  EXPECT_THAT(run.output, HasSubstr("first line: \"Hello from partition 1"));
}

TEST(BlockSystem, ADriverWithoutADiskIsABootError) {
  Result<image::SystemImage> img = example_image();
  ASSERT_TRUE(img) << img.error();
  BlockRun run = run_block_system(*img, block_run_options(10));
  EXPECT_EQ(run.result.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("drives block0, which has no backend attached (attach a disk image with --disk PATH)"));
}

TEST(BlockSystem, AMissingImageIsABootError) {
  if (!runtime::io_uring_unavailable_reason().empty()) GTEST_SKIP() << runtime::io_uring_unavailable_reason();
  Result<image::SystemImage> img = example_image();
  ASSERT_TRUE(img) << img.error();
  runtime::RunOptions o = block_run_options(10);
  o.disks.push_back(disk_option(temp_dir() + "/no-such.img"));
  BlockRun run = run_block_system(*img, o);
  EXPECT_EQ(run.result.exit_code, 2);
  EXPECT_THAT(run.output, HasSubstr("block0: cannot open disk image"));
}

TEST(BlockRunOptions, DiskOptionsParse) {
  std::string image;
  auto o = runtime::parse_run_options({"sys.img", "--disk", "a.img", "--disk=b,,c.img,readonly,direct,sector=4096,serial=XY"}, &image);
  ASSERT_TRUE(o) << o.error();
  ASSERT_EQ(o->disks.size(), 2u);
  EXPECT_EQ(o->disks[0].path, "a.img");
  EXPECT_FALSE(o->disks[0].read_only);
  EXPECT_EQ(o->disks[0].sector_size, 512u);
  EXPECT_EQ(o->disks[1].path, "b,c.img");
  EXPECT_TRUE(o->disks[1].read_only);
  EXPECT_TRUE(o->disks[1].direct);
  EXPECT_EQ(o->disks[1].sector_size, 4096u);
  EXPECT_EQ(o->disks[1].serial, "XY");
  EXPECT_FALSE(runtime::parse_run_options({"--disk", "a.img,fast"}, nullptr));
  EXPECT_FALSE(runtime::parse_run_options({"--disk", ",readonly"}, nullptr));
  EXPECT_FALSE(runtime::parse_run_options({"--disk", "a,sector=1000"}, nullptr));
  std::vector<std::string> nine;
  for (int i = 0; i < 9; ++i) {
    nine.push_back("--disk");
    nine.push_back("d" + std::to_string(i));
  }
  auto too_many = runtime::parse_run_options(nine, nullptr);
  ASSERT_FALSE(too_many);
  EXPECT_THAT(too_many.error(), HasSubstr("8 block devices"));
}

}  // namespace
}  // namespace corokit::testing
