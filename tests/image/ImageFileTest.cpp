#include "system/image/ImageFile.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "system/image/FileBytes.h"
#include "system/image/PackReport.h"
#include "tests/elf/Fixtures.h"
#include "tests/image/PackSupport.h"

namespace corokit::image {
namespace {

using test::diagnostics_of;

const char* kSystem = R"(<system>
  <memory_region name="shared" size="0x2000" prefill_path="prefill.bin" />
  <memory_region name="plain" size="0x1000" />
  <memory_region name="console_regs" size="0x1000" phys_addr="0x9000000" />
  <protection_domain name="alpha" priority="10" budget="500" period="1000">
    <program_image path="pd_bss.elf" />
    <map mr="shared" vaddr="0x20000000" setvar_vaddr="buffer_vaddr" setvar_prefill_size="buffer_size" />
    <map mr="console_regs" vaddr="0x30000000" perms="r" />
    <irq irq="33" id="5" setvar_id="timer_irq_id" />
    <setvar symbol="buffer_paddr" region_paddr="plain" />
  </protection_domain>
  <protection_domain name="beta" priority="20" passive="true" stack_size="0x4000">
    <program_image path="pd_data.elf" />
    <map mr="shared" vaddr="0x10000000" perms="r" />
    <map mr="plain" vaddr="0x10100000" />
  </protection_domain>
  <channel>
    <end pd="alpha" id="1" pp="true" setvar_id="peer_channel" />
    <end pd="beta" id="2" />
  </channel>
</system>
)";

class ImageFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<uint8_t> prefill(4112);
    for (size_t i = 0; i < prefill.size(); ++i) prefill[i] = static_cast<uint8_t>(i * 7);
    dir_.write("prefill.bin", prefill);
    PackOutcome p = test::pack_text(kSystem, {dir_.path()});
    ASSERT_TRUE(p.image) << diagnostics_of(p);
    image_ = std::move(*p.image);
    bytes_ = encode_image(image_).bytes();
  }

  test::ScratchDir dir_;
  SystemImage image_;
  std::vector<uint8_t> bytes_;
};

TEST_F(ImageFileTest, RoundTripsEverything) {
  Result<SystemImage> decoded = decode_image(bytes_);
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  const SystemImage& d = *decoded;
  ASSERT_EQ(d.pds.size(), image_.pds.size());
  EXPECT_EQ(d.elfs, image_.elfs);
  for (size_t i = 0; i < d.pds.size(); ++i) {
    EXPECT_EQ(d.pds[i].elf, image_.pds[i].elf);
    EXPECT_EQ(d.pds[i].entry, image_.pds[i].entry);
    EXPECT_EQ(d.pds[i].source_path, image_.pds[i].source_path);
    ASSERT_EQ(d.pds[i].patches.size(), image_.pds[i].patches.size());
    for (size_t k = 0; k < d.pds[i].patches.size(); ++k) {
      EXPECT_EQ(d.pds[i].patches[k].symbol, image_.pds[i].patches[k].symbol);
      EXPECT_EQ(d.pds[i].patches[k].vaddr, image_.pds[i].patches[k].vaddr);
      EXPECT_EQ(d.pds[i].patches[k].bytes, image_.pds[i].patches[k].bytes);
      EXPECT_EQ(d.pds[i].patches[k].source, image_.pds[i].patches[k].source);
    }
  }
  EXPECT_EQ(d.system.memory_regions[0].prefill, image_.system.memory_regions[0].prefill);
  EXPECT_EQ(d.system.memory_regions[0].prefill.size(), 4112u);
  EXPECT_EQ(d.system.memory_regions[0].size, 0x2000u);
  EXPECT_EQ(d.assigned_paddrs, image_.assigned_paddrs);
  EXPECT_EQ(d.system.memory_regions[1].phys_addr, 0x40000000u);
  ASSERT_EQ(d.devices.size(), 1u);
  EXPECT_EQ(d.devices[0].kind, board::DeviceKind::Console);
  EXPECT_EQ(d.devices[0].driver_pd, 0u);
  EXPECT_EQ(d.devices[0].window_mrs, std::vector<uint32_t>{2});
  EXPECT_EQ(d.system.pds[1].stack_size, 0x4000u);
  EXPECT_TRUE(d.system.pds[1].passive);
  EXPECT_EQ(d.system.channels[0].ends[0].setvar_id, "peer_channel");
  // Encoding the decoded image gives the same bytes, and the report is the same.
  EXPECT_EQ(encode_image(d).bytes(), bytes_);
  EXPECT_EQ(report_text(d), report_text(image_));
  EXPECT_EQ(report_json(d), report_json(image_));
}

TEST_F(ImageFileTest, RepackingGivesByteIdenticalImages) {
  PackOutcome again = test::pack_text(kSystem, {dir_.path()});
  ASSERT_TRUE(again.image);
  EXPECT_EQ(encode_image(*again.image).bytes(), bytes_);
}

TEST_F(ImageFileTest, HeaderAndLayoutAreAsDocumented) {
  ASSERT_GE(bytes_.size(), kHeaderSize);
  EXPECT_EQ(std::memcmp(bytes_.data(), "COROIMG\n", 8), 0);
  EXPECT_EQ(bytes_[8], kImageVersion);
  Result<ImageLayout> layout = verify_image(bytes_);
  ASSERT_TRUE(layout.ok()) << layout.error();
  EXPECT_EQ(layout->file_size, bytes_.size());
  // SYSTEM, DEVICES, a PD section per PD, an ELF section per distinct ELF, one PREFILL.
  ASSERT_EQ(layout->sections.size(), 2 + 2 + 2 + 1u);
  EXPECT_EQ(layout->sections[0].kind, SectionKind::System);
  EXPECT_EQ(layout->sections[1].kind, SectionKind::Devices);
  EXPECT_EQ(layout->sections[2].kind, SectionKind::Pd);
  EXPECT_EQ(layout->sections[3].kind, SectionKind::Pd);
  EXPECT_EQ(layout->sections[4].kind, SectionKind::Elf);
  EXPECT_EQ(layout->sections[5].kind, SectionKind::Elf);
  EXPECT_EQ(layout->sections[5].index, 1u);
  EXPECT_EQ(layout->sections[6].kind, SectionKind::Prefill);
  EXPECT_EQ(layout->sections[6].index, 0u);
  for (const SectionEntry& s : layout->sections) EXPECT_EQ(s.offset % kSectionAlign, 0u);
  // The ELF section holds the ELF verbatim.
  const SectionEntry& elf = layout->sections[4];
  EXPECT_EQ(std::vector<uint8_t>(bytes_.begin() + static_cast<std::ptrdiff_t>(elf.offset),
                                 bytes_.begin() + static_cast<std::ptrdiff_t>(elf.offset + elf.size)),
            image_.elf_of(0));
}

TEST_F(ImageFileTest, EveryFlippedBitIsDetected) {
  for (size_t i = 0; i < bytes_.size(); ++i) {
    std::vector<uint8_t> copy = bytes_;
    copy[i] ^= static_cast<uint8_t>(1u << (i % 8));
    ASSERT_FALSE(verify_image(copy).ok()) << "byte " << i;
    if (i % 97 == 0) {
      ASSERT_FALSE(decode_image(copy).ok()) << "byte " << i;
    }
  }
}

TEST_F(ImageFileTest, TruncationAndExtensionAreDetected) {
  for (size_t n = 0; n < bytes_.size(); n += 61) {
    std::vector<uint8_t> prefix(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decode_image(prefix).ok()) << n;
  }
  std::vector<uint8_t> longer = bytes_;
  longer.push_back(0);
  Result<SystemImage> r = decode_image(longer);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("size mismatch"), std::string::npos) << r.error();
}

TEST_F(ImageFileTest, ErrorsSayWhatIsWrong) {
  std::vector<uint8_t> copy = bytes_;
  copy[0] = 'X';
  EXPECT_EQ(decode_image(copy).error(), "not a corokit image (bad magic)");
  copy = bytes_;
  copy[8] = 9;
  EXPECT_NE(decode_image(copy).error().find("unsupported image version 9"), std::string::npos);
  Result<ImageLayout> layout = verify_image(bytes_);
  copy = bytes_;
  copy[layout->sections[4].offset + 100] ^= 1;
  EXPECT_EQ(decode_image(copy).error(), "ELF section 0 is corrupt (CRC32 mismatch)");
  copy = bytes_;
  copy[kHeaderSize + 3] ^= 1;
  EXPECT_EQ(decode_image(copy).error(), "corrupt section table (CRC32 mismatch)");
  copy = bytes_;
  copy[layout->sections[0].offset + layout->sections[0].size] = 1;  // padding after SYSTEM
  EXPECT_EQ(decode_image(copy).error(), "image is corrupt (CRC32 of the whole file does not match)");
}

// Images that are well-formed on the outside but wrong inside: the decoder's sanity checks.
TEST_F(ImageFileTest, InconsistentContentIsRejected) {
  std::vector<std::pair<const char*, std::function<void(SystemImage&)>>> mutations = {
      {"map mr index", [](SystemImage& i) { i.system.pds[0].maps[0].mr_index = 99; }},
      {"channel pd index", [](SystemImage& i) { i.system.channels[0].ends[1].pd_index = 5; }},
      {"channel with one end", [](SystemImage& i) { i.system.channels[0].ends.pop_back(); }},
      {"parent index", [](SystemImage& i) { i.system.pds[1].parent = 1; }},
      {"child index", [](SystemImage& i) { i.system.pds[0].children.push_back(7); }},
      {"irq id", [](SystemImage& i) { i.system.pds[0].irqs[0].id = 62; }},
      {"priority", [](SystemImage& i) { i.system.pds[0].priority = 255; }},
      {"stack size", [](SystemImage& i) { i.system.pds[0].stack_size = 0x1234; }},
      {"page size", [](SystemImage& i) { i.system.memory_regions[1].page_size = 0x3000; }},
      {"mr size", [](SystemImage& i) { i.system.memory_regions[1].size = 0x1800; }},
      {"duplicate pd name", [](SystemImage& i) { i.system.pds[1].name = "alpha"; }},
      {"long pd name", [](SystemImage& i) { i.system.pds[1].name = std::string(64, 'x'); }},
      {"prefill larger than mr", [](SystemImage& i) { i.system.memory_regions[0].prefill.resize(0x3000); }},
      {"entry", [](SystemImage& i) { i.pds[0].entry += 1; }},
      {"segments", [](SystemImage& i) { i.pds[0].segments[0].mem_size += 1; }},
      {"patch outside", [](SystemImage& i) { i.pds[0].patches[0].vaddr = 0x10; }},
      {"patch size", [](SystemImage& i) { i.pds[0].patches[0].bytes.resize(65); }},
      {"elf", [](SystemImage& i) { i.elfs[1].resize(10); }},
      {"elf reference", [](SystemImage& i) { i.pds[1].elf = 2; }},
      {"elf numbering", [](SystemImage& i) { std::swap(i.elfs[0], i.elfs[1]), i.pds[0].elf = 1, i.pds[1].elf = 0; }},
      {"unused elf", [](SystemImage& i) { i.pds[1].elf = 0; }},
      {"elf stored twice", [](SystemImage& i) { i.elfs[1] = i.elfs[0]; }},
      {"assigned paddr", [](SystemImage& i) { i.assigned_paddrs = {0}; }},
      {"device driver", [](SystemImage& i) { i.devices[0].driver_pd = 9; }},
      {"device window", [](SystemImage& i) { i.devices[0].window_mrs = {3}; }},
      {"device index", [](SystemImage& i) { i.devices[0].index = 3; }},
  };
  for (auto& [what, mutate] : mutations) {
    SystemImage copy = image_;
    mutate(copy);
    Result<SystemImage> r = decode_image(encode_image(copy).bytes());
    EXPECT_FALSE(r.ok()) << what;
  }
}

// Replaces the first `from` in `bytes` by `to` (same length) and recomputes the CRCs.
bool edit_and_reseal(std::vector<uint8_t>& bytes, const std::string& from, const std::string& to) {
  auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
  if (at == bytes.end() || from.size() != to.size()) return false;
  std::copy(to.begin(), to.end(), at);
  return reseal_image(bytes);
}

void put_u64(std::vector<uint8_t>& bytes, uint64_t at, uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Every reference to an ELF is checked, with an error that says what is wrong.
TEST_F(ImageFileTest, CorruptElfReferencesAreRefused) {
  std::vector<uint8_t> copy = bytes_;
  ASSERT_TRUE(edit_and_reseal(copy, "\"elf\":1,", "\"elf\":7,"));
  EXPECT_EQ(decode_image(copy).error(), "PD section of PD 1 refers to ELF 7, but the image has 2 ELF sections");

  copy = bytes_;
  ASSERT_TRUE(edit_and_reseal(copy, "\"elf\":1,", "\"elf\":0,"));  // ELF 1 is then used by nobody
  EXPECT_NE(decode_image(copy).error().find("ELF 1: used by no PD"), std::string::npos) << decode_image(copy).error();

  Result<ImageLayout> layout = verify_image(bytes_);
  ASSERT_TRUE(layout.ok());
  const SectionEntry& elf0 = layout->sections[4];
  const uint64_t elf1_entry = kHeaderSize + 5 * kSectionEntrySize;
  // ELF section 1 aliasing ELF section 0's bytes: sharing is by reference, never by overlap.
  copy = bytes_;
  put_u64(copy, elf1_entry + 8, elf0.offset);
  put_u64(copy, elf1_entry + 16, elf0.size);
  ASSERT_TRUE(reseal_image(copy));
  EXPECT_NE(decode_image(copy).error().find("overlaps another section"), std::string::npos) << decode_image(copy).error();
  // A section that does not start on a 16-byte boundary.
  copy = bytes_;
  put_u64(copy, elf1_entry + 8, layout->sections[5].offset + 1);
  put_u64(copy, elf1_entry + 16, layout->sections[5].size - 1);
  ASSERT_TRUE(reseal_image(copy));
  EXPECT_EQ(decode_image(copy).error(), "ELF section 1 is misaligned (offset " +
                                            std::to_string(layout->sections[5].offset + 1) + " is not a multiple of 16)");
  // ELF sections numbered with a gap.
  copy = bytes_;
  copy[elf1_entry + 4] = 2;
  ASSERT_TRUE(reseal_image(copy));
  EXPECT_EQ(decode_image(copy).error(), "ELF sections must be numbered 0 to 1 (found ELF section 2)");
  // The same bytes stored twice.
  SystemImage twice = image_;
  twice.elfs[1] = twice.elfs[0];
  EXPECT_EQ(decode_image(encode_image(twice).bytes()).error(),
            "ELF sections 0 and 1 hold the same bytes (an image stores each distinct ELF once)");
  // Non-zero padding, with the CRCs made to match.
  copy = bytes_;
  copy[layout->sections[0].offset + layout->sections[0].size] = 1;
  ASSERT_TRUE(reseal_image(copy));
  EXPECT_EQ(decode_image(copy).error(), "non-zero bytes before the DEVICES section");
}

// 63 PDs of one program: the image holds the ELF once, and the runtime gets one ELF to share.
TEST(ImageFileSharing, SixtyThreePdsOfOneElfCostOneElf) {
  test::ScratchDir dir;
  std::vector<uint8_t> elf = test::fixture_bytes("pd_data");
  elf.resize(elf.size() + (1 << 20), 0x5a);  // a 1 MiB program: bytes after the ELF's contents
  dir.write("big.elf", elf);
  std::string xml = "<system>\n";
  for (int i = 0; i < 63; ++i) {
    xml += "  <protection_domain name=\"pd" + std::to_string(i) + "\" priority=\"" + std::to_string(i + 1) +
           "\"><program_image path=\"big.elf\" /></protection_domain>\n";
  }
  xml += "</system>\n";
  PackOutcome p = test::pack_text(xml, {dir.path()});
  ASSERT_TRUE(p.image) << diagnostics_of(p);
  ASSERT_EQ(p.image->elfs.size(), 1u);
  for (const PdImage& pd : p.image->pds) EXPECT_EQ(pd.elf, 0u);
  std::vector<uint8_t> bytes = encode_image(*p.image).bytes();
  EXPECT_GT(bytes.size(), elf.size());
  EXPECT_LT(bytes.size(), elf.size() + 256 * 1024) << "63 PDs of one ELF must not store it 63 times";
  Result<SystemImage> d = decode_image(bytes);
  ASSERT_TRUE(d.ok()) << d.error();
  ASSERT_EQ(d->elfs.size(), 1u);
  EXPECT_EQ(d->elfs[0], elf);
  std::string report = report_text(*d);
  EXPECT_NE(report.find("(ELF 0, " + std::to_string(elf.size()) + " bytes, shared with 62 other PDs)"), std::string::npos)
      << report;
  EXPECT_NE(report.find("ELF 0: " + std::to_string(elf.size()) + " bytes, from "), std::string::npos) << report;
  EXPECT_NE(report.find("; run by 63 PDs: 'pd0', 'pd1',"), std::string::npos) << report;
  nlohmann::json j = report_json(*d);
  EXPECT_EQ(j["elfs"].size(), 1u);
  EXPECT_EQ(j["elfs"][0]["pds"].size(), 63u);
  EXPECT_EQ(j["protection_domains"][62]["image"]["elf"], 0);
}

// Flipping any byte of the JSON sections and fixing the CRCs must give an error or a sound image.
TEST_F(ImageFileTest, ResealedDamageNeverCrashesTheDecoder) {
  Result<ImageLayout> layout = verify_image(bytes_);
  ASSERT_TRUE(layout.ok());
  for (const SectionEntry& s : layout->sections) {
    if (s.kind == SectionKind::Elf || s.kind == SectionKind::Prefill) continue;
    for (uint64_t k = 0; k < s.size; k += 3) {
      std::vector<uint8_t> copy = bytes_;
      copy[s.offset + k] ^= 0x21;
      ASSERT_TRUE(reseal_image(copy));
      ASSERT_TRUE(verify_image(copy).ok());
      Result<SystemImage> r = decode_image(copy);
      if (r.ok()) {
        EXPECT_TRUE(decode_image(encode_image(*r).bytes()).ok());
      }
    }
  }
}

TEST_F(ImageFileTest, WritesAndReadsFiles) {
  EncodedImage enc = encode_image(image_);
  std::string path = dir_.file("system.img");
  ASSERT_TRUE(write_file_atomically(path, enc.pieces).ok());
  Result<std::vector<uint8_t>> read = read_file_bytes(path);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, bytes_);
  EXPECT_FALSE(read_file_bytes(dir_.file("absent.img")).ok());
  EXPECT_FALSE(write_file_atomically(dir_.file("no/such/dir/x.img"), enc.pieces).ok());
}

TEST_F(ImageFileTest, ReportCoversTheSystem) {
  std::string r = report_text(image_);
  for (const char* needle : {
           "PD 0 'alpha'", "priority 10, budget 500 us, period 1000 us, passive no", "PD 1 'beta'",
           "passive yes", "stack 0x4000", "entry 0x", "ELF segment 0", "map of 'shared'",
           "stack (0x2000 bytes)", "guard page", "IPC buffer", "id 1 <-> 'beta' id 2: this end notify yes, pp yes",
           "id 5: irq 33 (console), trigger level", "microkit_name @ 0x", "= \"alpha\"",
           "buffer_paddr @ 0x", "= 0x40000000  [setvar@region_paddr (mr 'plain')]",
           "buffer_size @ 0x", "= 0x1010  [map@setvar_prefill_size (mr 'shared')]",
           "MR 'shared': size 0x2000, page size 0x1000 (default), physical address none",
           "prefill: 4112 bytes from 'prefill.bin'", "mapped by 'beta' at 0x10000000 perms r",
           "MR 'plain': size 0x1000, page size 0x1000 (default), physical address 0x40000000 (assigned)",
           "physical address 0x9000000 (declared)", "'alpha' id 1 (notify, pp) <-> 'beta' id 2 (notify)",
           "console (irq 33, window 0x9000000): driver 'alpha' (irq id 5), window MR 'console_regs'"}) {
    EXPECT_NE(r.find(needle), std::string::npos) << needle << "\n" << r;
  }
  nlohmann::json j = report_json(image_);
  EXPECT_EQ(j["protection_domains"][0]["name"], "alpha");
  EXPECT_EQ(j["protection_domains"][1]["stack"]["bottom"], 0x6fffffffe000ull - 0x4000);
  EXPECT_EQ(j["memory_regions"][1]["phys_addr_assigned"], true);
  EXPECT_EQ(j["devices"][0]["device"], "console");
}

}  // namespace
}  // namespace corokit::image
