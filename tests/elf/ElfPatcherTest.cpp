#include "system/elf/ElfPatcher.h"

#include <gtest/gtest.h>

#include <map>

#include "system/elf/ElfFile.h"
#include "tests/elf/Fixtures.h"
#include "tests/elf/RunElf.h"

namespace corokit::elf {
namespace {

using test::fixture_bytes;
using test::memory_at;
using test::run_elf;

std::vector<uint8_t> le64(uint64_t v) {
  std::vector<uint8_t> b(8);
  for (int i = 0; i < 8; ++i) b[i] = static_cast<uint8_t>(v >> (8 * i));
  return b;
}

// The values a test writes, by symbol name.
struct Values {
  std::map<std::string, std::vector<uint8_t>> by_symbol;

  std::vector<ElfWrite> writes(const ElfFile& elf) const {
    std::vector<ElfWrite> w;
    for (const auto& [name, bytes] : by_symbol) w.push_back({elf.find(name).at(0).value, bytes});
    return w;
  }
};

Values sample_values() {
  Values v;
  std::vector<uint8_t> name(64, 0);
  std::string n = "patched_pd";
  std::copy(n.begin(), n.end(), name.begin());
  v.by_symbol["microkit_name"] = name;
  v.by_symbol["microkit_passive"] = {1};
  v.by_symbol["microkit_irqs"] = le64(0x5);
  v.by_symbol["microkit_notifications"] = le64(0x6);
  v.by_symbol["microkit_pps"] = le64(0x8);
  v.by_symbol["microkit_ioports"] = le64(0);
  v.by_symbol["buffer_vaddr"] = le64(0x20000000);
  v.by_symbol["buffer_size"] = le64(0x1000);
  v.by_symbol["buffer_paddr"] = le64(0x40000000);
  v.by_symbol["timer_irq_id"] = le64(3);
  v.by_symbol["peer_channel"] = le64(61);
  v.by_symbol["child_pd_id"] = le64(7);
  return v;
}

const char* kExpectedOutput =
    "microkit_name=patched_pd\n"
    "microkit_passive=0x0000000000000001\n"
    "microkit_irqs=0x0000000000000005\n"
    "microkit_notifications=0x0000000000000006\n"
    "microkit_pps=0x0000000000000008\n"
    "microkit_ioports=0x0000000000000000\n"
    "buffer_vaddr=0x0000000020000000\n"
    "buffer_size=0x0000000000001000\n"
    "buffer_paddr=0x0000000040000000\n"
    "timer_irq_id=0x0000000000000003\n"
    "peer_channel=0x000000000000003d\n"
    "child_pd_id=0x0000000000000007\n";

void expect_patched(const std::string& fixture) {
  std::vector<uint8_t> original = fixture_bytes(fixture);
  std::vector<uint8_t> before = original;
  ElfParseResult parsed = parse_elf(original);
  ASSERT_TRUE(parsed.ok()) << parsed.error.message;
  Values values = sample_values();
  std::vector<ElfWrite> writes = values.writes(*parsed.file);
  Result<std::vector<uint8_t>> patched = apply_patches(original, writes);
  ASSERT_TRUE(patched.ok()) << patched.error();
  EXPECT_EQ(original, before) << "the input must not change";

  ElfParseResult again = parse_elf(*patched);
  ASSERT_TRUE(again.ok()) << again.error.message;
  EXPECT_EQ(again.file->entry, parsed.file->entry);
  ASSERT_EQ(again.file->segments.size(), parsed.file->segments.size());
  for (size_t s = 0; s < parsed.file->segments.size(); ++s) {
    const Segment& a = parsed.file->segments[s];
    const Segment& b = again.file->segments[s];
    EXPECT_EQ(a.vaddr, b.vaddr);
    EXPECT_EQ(a.mem_size, b.mem_size);
    EXPECT_EQ(b.offset % 0x1000, b.vaddr % 0x1000) << "segments must stay mappable";
    // The loaded memory is the original's except exactly at the patched symbols.
    std::vector<uint8_t> expect = memory_at(original, a.vaddr, a.mem_size);
    // A segment that maps the program header table shows the updated headers.
    Elf64_Ehdr eh = test::header_of(original);
    uint64_t ph_begin = eh.e_phoff, ph_end = eh.e_phoff + eh.e_phnum * sizeof(Elf64_Phdr);
    if (a.offset <= ph_begin && ph_end <= a.offset + a.file_size) {
      std::copy(patched->begin() + static_cast<std::ptrdiff_t>(ph_begin),
                patched->begin() + static_cast<std::ptrdiff_t>(ph_end),
                expect.begin() + static_cast<std::ptrdiff_t>(ph_begin - a.offset));
    }
    for (const ElfWrite& w : writes) {
      if (w.vaddr >= a.vaddr && w.vaddr + w.bytes.size() <= a.vaddr + a.mem_size) {
        std::copy(w.bytes.begin(), w.bytes.end(), expect.begin() + static_cast<std::ptrdiff_t>(w.vaddr - a.vaddr));
      }
    }
    EXPECT_EQ(memory_at(*patched, a.vaddr, a.mem_size), expect) << "segment " << s;
  }
  EXPECT_EQ(run_elf(*patched), kExpectedOutput);
}

TEST(ElfPatcher, PatchesDataVariablesInPlace) {
  std::vector<uint8_t> original = fixture_bytes("pd_data");
  expect_patched("pd_data");
  Values values = sample_values();
  Result<std::vector<uint8_t>> patched =
      apply_patches(original, values.writes(*parse_elf(original).file));
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->size(), original.size()) << ".data patches need no new file bytes";
}

TEST(ElfPatcher, MaterialisesBssTails) {
  std::vector<uint8_t> original = fixture_bytes("pd_bss");
  expect_patched("pd_bss");
  // The unpatched program prints zeros: the values really come from the patch.
  EXPECT_NE(run_elf(original), kExpectedOutput);
  EXPECT_NE(run_elf(original).find("microkit_irqs=0x0000000000000000"), std::string::npos);
}

TEST(ElfPatcher, NoWritesGiveAnIdenticalCopy) {
  std::vector<uint8_t> original = fixture_bytes("pd_bss");
  Result<std::vector<uint8_t>> patched = apply_patches(original, {});
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(*patched, original);
}

TEST(ElfPatcher, IsDeterministic) {
  std::vector<uint8_t> original = fixture_bytes("pd_bss");
  Values values = sample_values();
  std::vector<ElfWrite> writes = values.writes(*parse_elf(original).file);
  EXPECT_EQ(*apply_patches(original, writes), *apply_patches(original, writes));
}

TEST(ElfPatcher, LaterWriteWins) {
  std::vector<uint8_t> original = fixture_bytes("pd_bss");
  uint64_t at = parse_elf(original).file->find("microkit_irqs").at(0).value;
  std::vector<uint8_t> a = le64(1), b = le64(2);
  std::vector<ElfWrite> writes = {{at, a}, {at, b}};
  Result<std::vector<uint8_t>> patched = apply_patches(original, writes);
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(memory_at(*patched, at, 8), b);
}

TEST(ElfPatcher, RejectsWritesOutsideLoadableSegments) {
  std::vector<uint8_t> original = fixture_bytes("pd_data");
  ElfFile elf = *parse_elf(original).file;
  std::vector<uint8_t> word = le64(1);
  std::vector<ElfWrite> nowhere = {{0x1000, word}};
  Result<std::vector<uint8_t>> r = apply_patches(original, nowhere);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("not inside a loadable segment"), std::string::npos) << r.error();

  const Segment& last = elf.segments.back();
  std::vector<ElfWrite> straddle = {{last.end() - 4, word}};
  EXPECT_FALSE(apply_patches(original, straddle).ok());
  std::vector<ElfWrite> wrap = {{UINT64_MAX - 3, word}};
  EXPECT_FALSE(apply_patches(original, wrap).ok());
}

TEST(ElfPatcher, RefusesToOverwriteTheHeaders) {
  // The first segment maps the ELF header and the program headers.
  std::vector<uint8_t> original = fixture_bytes("pd_data");
  ElfFile elf = *parse_elf(original).file;
  ASSERT_EQ(elf.segments.front().offset, 0u);
  std::vector<uint8_t> word = le64(1);
  for (uint64_t at : {uint64_t{0}, uint64_t{0x38}, test::header_of(original).e_phoff + 8}) {
    std::vector<ElfWrite> writes = {{elf.segments.front().vaddr + at, word}};
    Result<std::vector<uint8_t>> r = apply_patches(original, writes);
    ASSERT_FALSE(r.ok()) << at;
    EXPECT_NE(r.error().find("would overwrite the ELF headers"), std::string::npos) << r.error();
    EXPECT_FALSE(check_patches(original, writes).ok());
  }
  std::vector<ElfWrite> fine = {{elf.find("microkit_irqs").at(0).value, word}};
  EXPECT_TRUE(check_patches(original, fine).ok());
}

TEST(ElfPatcher, RefusesToMaterialiseHugeBssTails) {
  std::vector<uint8_t> elf = fixture_bytes("pd_bss");
  ElfFile parsed = *parse_elf(elf).file;
  size_t last = parsed.segments.size() - 1;
  const Segment& bss = parsed.segments[last];
  Elf64_Phdr ph = test::phdr_of(elf, bss.index);
  ph.p_memsz = 1ull << 40;
  test::set_phdr(elf, bss.index, ph);
  std::vector<uint8_t> word = le64(1);
  std::vector<ElfWrite> deep = {{bss.vaddr + (1ull << 30), word}};
  Result<std::vector<uint8_t>> r = apply_patches(elf, deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("zero-filled tail"), std::string::npos) << r.error();
  std::vector<ElfWrite> shallow = {{bss.vaddr + 0x100000, word}};
  EXPECT_TRUE(apply_patches(elf, shallow).ok());
}

TEST(ElfPatcher, RejectsInvalidElf) {
  std::vector<uint8_t> junk = {1, 2, 3};
  Result<std::vector<uint8_t>> r = apply_patches(junk, {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("magic check failed"), std::string::npos);
}

}  // namespace
}  // namespace corokit::elf
