#include "system/elf/ElfFile.h"

#include <gtest/gtest.h>

#include <random>

#include "tests/elf/Fixtures.h"

namespace corokit::elf {
namespace {

using test::fixture_bytes;

ElfParseResult parse(const std::vector<uint8_t>& bytes, bool require_symbols = true) {
  return parse_elf(bytes, {.require_symbols = require_symbols});
}

TEST(ElfFile, ReadsSegmentsEntryAndSymbols) {
  std::vector<uint8_t> bytes = fixture_bytes("pd_data");
  ASSERT_FALSE(bytes.empty());
  ElfParseResult r = parse(bytes);
  ASSERT_TRUE(r.ok()) << r.error.message;
  const ElfFile& elf = *r.file;
  EXPECT_EQ(elf.machine, EM_X86_64);
  std::vector<Symbol> start = elf.find("_start");
  ASSERT_EQ(start.size(), 1u);
  EXPECT_EQ(elf.entry, start[0].value);
  ASSERT_FALSE(elf.segments.empty());
  EXPECT_EQ(elf.segments.front().vaddr, 0x200000u);  // -Ttext-segment
  bool executable = false;
  for (const Segment& s : elf.segments) executable |= s.execute;
  EXPECT_TRUE(executable);

  std::vector<Symbol> name = elf.find("microkit_name");
  ASSERT_EQ(name.size(), 1u);
  EXPECT_EQ(name[0].size, 64u);
  EXPECT_NE(elf.segment_containing(name[0].value, 64), nullptr);
  EXPECT_EQ(elf.find("microkit_passive").at(0).size, 1u);
  EXPECT_TRUE(elf.find("no_such_symbol").empty());
}

TEST(ElfFile, BssSymbolsLieInTheZeroTail) {
  ElfParseResult r = parse(fixture_bytes("pd_bss"));
  ASSERT_TRUE(r.ok()) << r.error.message;
  Symbol irqs = r.file->find("microkit_irqs").at(0);
  const Segment* seg = r.file->segment_containing(irqs.value, irqs.size);
  ASSERT_NE(seg, nullptr);
  EXPECT_GE(irqs.value - seg->vaddr, seg->file_size) << "the fixture's variables must be in .bss";
}

TEST(ElfFile, ReportsDuplicateAndAbsoluteSymbols) {
  ElfParseResult r = parse(fixture_bytes("pd_dup"));
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(r.file->find("buffer_vaddr").size(), 2u);
  std::vector<Symbol> abs = r.file->find("buffer_size");
  ASSERT_EQ(abs.size(), 1u);
  EXPECT_EQ(abs[0].value, 0x100000000u);
  EXPECT_EQ(r.file->segment_containing(abs[0].value, abs[0].size), nullptr);
}

TEST(ElfFile, StrippedElfHasNoSymbolTable) {
  std::vector<uint8_t> bytes = fixture_bytes("pd_stripped");
  ElfParseResult r = parse(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.kind, ElfErrorKind::NoSymbolTable);
  EXPECT_EQ(r.error.message, "unable to find symbol table section");
  ElfParseResult loadable = parse(bytes, false);
  ASSERT_TRUE(loadable.ok()) << loadable.error.message;
  EXPECT_FALSE(loadable.file->has_symbol_table());
}

TEST(ElfFile, RejectsWhatIsNotAnElf) {
  std::vector<uint8_t> text = {'h', 'e', 'l', 'l', 'o', '\n'};
  EXPECT_EQ(parse(text).error.kind, ElfErrorKind::Magic);
  EXPECT_EQ(parse(text).error.message, "magic check failed");
  EXPECT_EQ(parse({}).error.kind, ElfErrorKind::Magic);
  EXPECT_EQ(parse({0x7f, 'E', 'L', 'F'}).error.kind, ElfErrorKind::Malformed);
}

TEST(ElfFile, RejectsWrongClassAndEndianness) {
  std::vector<uint8_t> bytes = fixture_bytes("pd_data");
  std::vector<uint8_t> b32 = bytes;
  b32[EI_CLASS] = ELFCLASS32;
  EXPECT_EQ(parse(b32).error.kind, ElfErrorKind::WordSize32);
  EXPECT_EQ(parse(b32).error.message, "unsupported word size: '32'");
  std::vector<uint8_t> bad_class = bytes;
  bad_class[EI_CLASS] = 7;
  EXPECT_EQ(parse(bad_class).error.kind, ElfErrorKind::Class);
  EXPECT_EQ(parse(bad_class).error.message, "invalid class '7'");
  std::vector<uint8_t> big = bytes;
  big[EI_DATA] = ELFDATA2MSB;
  EXPECT_EQ(parse(big).error.kind, ElfErrorKind::Endianness);
  EXPECT_EQ(parse(big).error.message, "incorrect endianness, only little endian architectures are supported");
}

TEST(ElfFile, RejectsMissingOrBrokenProgramHeaders) {
  std::vector<uint8_t> bytes = fixture_bytes("pd_data");
  Elf64_Ehdr eh = test::header_of(bytes);

  std::vector<uint8_t> none = bytes;
  Elf64_Ehdr h = eh;
  h.e_phnum = 0;
  test::set_header(none, h);
  EXPECT_EQ(parse(none).error.kind, ElfErrorKind::NoProgramHeaders);
  EXPECT_EQ(parse(none).error.message, "has no program headers");

  std::vector<uint8_t> outside = bytes;
  h = eh;
  h.e_phoff = bytes.size() - 8;
  test::set_header(outside, h);
  EXPECT_EQ(parse(outside).error.kind, ElfErrorKind::Malformed);

  std::vector<uint8_t> bad_entsize = bytes;
  h = eh;
  h.e_phentsize = 40;
  test::set_header(bad_entsize, h);
  EXPECT_EQ(parse(bad_entsize).error.kind, ElfErrorKind::Malformed);

  // A loadable segment whose file image runs past the end of the file.
  for (size_t i = 0; i < eh.e_phnum; ++i) {
    Elf64_Phdr ph = test::phdr_of(bytes, i);
    if (ph.p_type != PT_LOAD) continue;
    std::vector<uint8_t> seg = bytes;
    ph.p_filesz = bytes.size() - ph.p_offset + 1;
    ph.p_memsz = ph.p_filesz;
    test::set_phdr(seg, i, ph);
    ElfParseResult r = parse(seg);
    EXPECT_EQ(r.error.kind, ElfErrorKind::Malformed);
    EXPECT_NE(r.error.message.find("outside the file"), std::string::npos) << r.error.message;

    std::vector<uint8_t> wrap = bytes;
    ph = test::phdr_of(bytes, i);
    ph.p_vaddr = UINT64_MAX - 0x10;
    test::set_phdr(wrap, i, ph);
    EXPECT_EQ(parse(wrap).error.kind, ElfErrorKind::Malformed);

    std::vector<uint8_t> file_over_mem = bytes;
    ph = test::phdr_of(bytes, i);
    ph.p_memsz = ph.p_filesz ? ph.p_filesz - 1 : 0;
    if (ph.p_filesz) {
      test::set_phdr(file_over_mem, i, ph);
      EXPECT_EQ(parse(file_over_mem).error.kind, ElfErrorKind::Malformed);
    }
    break;
  }
}

TEST(ElfFile, RejectsBrokenSymbolTable) {
  std::vector<uint8_t> bytes = fixture_bytes("pd_data");
  Elf64_Ehdr eh = test::header_of(bytes);
  bool found = false;
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = test::shdr_of(bytes, i);
    if (sh.sh_type != SHT_SYMTAB) continue;
    found = true;
    std::vector<uint8_t> zero_entsize = bytes;
    Elf64_Shdr s = sh;
    s.sh_entsize = 0;
    test::set_shdr(zero_entsize, i, s);
    EXPECT_EQ(parse(zero_entsize).error.kind, ElfErrorKind::Malformed);

    std::vector<uint8_t> outside = bytes;
    s = sh;
    s.sh_size = bytes.size();
    test::set_shdr(outside, i, s);
    EXPECT_EQ(parse(outside).error.kind, ElfErrorKind::Malformed);

    std::vector<uint8_t> bad_strtab = bytes;
    s = sh;
    s.sh_link = 0xfff;
    test::set_shdr(bad_strtab, i, s);
    EXPECT_FALSE(parse(bad_strtab).ok());
  }
  EXPECT_TRUE(found);
}

TEST(ElfFile, NoPrefixOfAnElfCrashesTheReader) {
  std::vector<uint8_t> bytes = fixture_bytes("pd_data");
  for (size_t n = 0; n < bytes.size(); n += 7) {
    std::vector<uint8_t> prefix(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    ElfParseResult r = parse(prefix);
    if (r.ok()) {
      for (const Segment& s : r.file->segments) EXPECT_LE(s.offset + s.file_size, n);
    }
  }
}

TEST(ElfFile, RandomCorruptionNeverCrashesTheReader) {
  std::vector<uint8_t> bytes = fixture_bytes("pd_data");
  std::mt19937 rng(12345);
  for (int round = 0; round < 2000; ++round) {
    std::vector<uint8_t> copy = bytes;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) {
      // Most flips go to the headers, where they matter.
      size_t limit = (rng() % 2) ? std::min<size_t>(copy.size(), 512) : copy.size();
      copy[rng() % limit] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    ElfParseResult r = parse(copy);
    if (r.ok()) {
      for (const Segment& s : r.file->segments) EXPECT_LE(s.offset + s.file_size, copy.size());
    }
  }
}

TEST(ElfFile, MachineNames) {
  EXPECT_EQ(machine_name(EM_X86_64), "x86-64");
  EXPECT_EQ(machine_name(EM_AARCH64), "AArch64");
  EXPECT_EQ(machine_name(0x1234), "machine 4660");
}

}  // namespace
}  // namespace corokit::elf
