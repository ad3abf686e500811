#include "system/image/ImagePacker.h"

#include <gtest/gtest.h>

#include "system/image/PatchedElf.h"
#include "tests/elf/Fixtures.h"
#include "tests/elf/RunElf.h"
#include "tests/image/PackSupport.h"

namespace corokit::image {
namespace {

using test::diagnostics_of;
using test::pack_text;

// A system that uses every patch source the fixtures can take, with the symbols in .bss for the
// server and in .data for the others.
const char* kGoodSystem = R"(<?xml version="1.0" encoding="UTF-8"?>
<system>
  <memory_region name="buffer" size="0x1000" />
  <memory_region name="dma" size="0x200000" page_size="0x200000" />
  <memory_region name="timer_regs" size="0x1000" phys_addr="0x9010000" />
  <protection_domain name="server" priority="200">
    <program_image path="pd_bss.elf" />
    <map mr="buffer" vaddr="0x20000000" perms="rw" setvar_vaddr="buffer_vaddr" setvar_size="buffer_size" />
    <map mr="timer_regs" vaddr="0x30000000" perms="r" cached="false" />
    <irq irq="34" id="3" setvar_id="timer_irq_id" />
    <setvar symbol="buffer_paddr" region_paddr="dma" />
    <protection_domain name="child" id="7" setvar_id="child_pd_id" priority="100">
      <program_image path="pd_data.elf" />
    </protection_domain>
  </protection_domain>
  <protection_domain name="client" priority="100" passive="true">
    <program_image path="pd_data.elf" />
    <map mr="buffer" vaddr="0x20000000" perms="r" />
  </protection_domain>
  <channel>
    <end pd="client" id="0" pp="true" setvar_id="peer_channel" />
    <end pd="server" id="1" notify="false" />
  </channel>
</system>
)";

const Patch* find_patch(const PdImage& pd, const std::string& symbol) {
  for (const Patch& p : pd.patches) {
    if (p.symbol == symbol) return &p;
  }
  return nullptr;
}

uint64_t value_of(const PdImage& pd, const std::string& symbol) {
  const Patch* p = find_patch(pd, symbol);
  EXPECT_NE(p, nullptr) << symbol;
  if (!p) return ~uint64_t{0};
  uint64_t v = 0;
  for (size_t i = 0; i < p->bytes.size() && i < 8; ++i) v |= uint64_t{p->bytes[i]} << (8 * i);
  return v;
}

TEST(ImagePacker, PacksAGoodSystem) {
  PackOutcome p = pack_text(kGoodSystem);
  ASSERT_TRUE(p.image) << diagnostics_of(p);
  EXPECT_EQ(p.loaded.diagnostics.errors(), 0u);
  const SystemImage& img = *p.image;
  ASSERT_EQ(img.pds.size(), 3u);  // server, child, client (depth-first)
  EXPECT_EQ(img.system.pds[1].name, "child");

  // Each distinct ELF once, numbered in order of first use: child and client share pd_data.elf.
  ASSERT_EQ(img.elfs.size(), 2u);
  EXPECT_EQ(img.pds[0].elf, 0u);
  EXPECT_EQ(img.pds[1].elf, 1u);
  EXPECT_EQ(img.pds[2].elf, 1u);
  EXPECT_EQ(img.elfs[1], test::fixture_bytes("pd_data"));

  const PdImage& server = img.pds[0];
  EXPECT_FALSE(img.elf_of(0).empty());
  EXPECT_NE(server.source_path.find("pd_bss.elf"), std::string::npos);
  EXPECT_EQ(server.segments.front().vaddr, 0x200000u);
  EXPECT_EQ(value_of(server, "microkit_passive"), 0u);
  EXPECT_EQ(value_of(server, "microkit_irqs"), 1u << 3);
  EXPECT_EQ(value_of(server, "microkit_notifications"), 0u);  // its end has notify="false"
  EXPECT_EQ(value_of(server, "microkit_pps"), 0u);
  EXPECT_EQ(value_of(server, "microkit_ioports"), 0u);
  EXPECT_EQ(value_of(server, "buffer_vaddr"), 0x20000000u);
  EXPECT_EQ(value_of(server, "buffer_size"), 0x1000u);
  EXPECT_EQ(value_of(server, "timer_irq_id"), 3u);
  EXPECT_EQ(value_of(server, "child_pd_id"), 7u);
  EXPECT_EQ(value_of(server, "buffer_paddr"), 0x40000000u);  // first fit, 2 MiB aligned
  const Patch* name = find_patch(server, "microkit_name");
  ASSERT_NE(name, nullptr);
  ASSERT_EQ(name->bytes.size(), 64u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(name->bytes.data())), "server");

  const PdImage& client = img.pds[2];
  EXPECT_EQ(value_of(client, "microkit_passive"), 1u);
  EXPECT_EQ(value_of(client, "microkit_notifications"), 1u);
  EXPECT_EQ(value_of(client, "microkit_pps"), 1u);
  EXPECT_EQ(value_of(client, "peer_channel"), 0u);
  EXPECT_EQ(find_patch(client, "buffer_vaddr"), nullptr) << "client's map has no setvar";

  ASSERT_EQ(img.assigned_paddrs, std::vector<uint32_t>{1});
  EXPECT_EQ(img.system.memory_regions[1].phys_addr, 0x40000000u);

  ASSERT_EQ(img.devices.size(), 1u);
  EXPECT_EQ(img.devices[0].kind, board::DeviceKind::Timer);
  EXPECT_EQ(img.devices[0].driver_pd, 0u);
  EXPECT_EQ(img.devices[0].irq_id, 3u);
  EXPECT_EQ(img.devices[0].window_mrs, std::vector<uint32_t>{2});
}

TEST(ImagePacker, PatchedBssPdRunsWithItsValues) {
  PackOutcome p = pack_text(kGoodSystem);
  ASSERT_TRUE(p.image) << diagnostics_of(p);
  Result<std::vector<uint8_t>> server = patched_elf(*p.image, 0);
  ASSERT_TRUE(server.ok()) << server.error();
  EXPECT_EQ(test::run_elf(*server),
            "microkit_name=server\n"
            "microkit_passive=0x0000000000000000\n"
            "microkit_irqs=0x0000000000000008\n"
            "microkit_notifications=0x0000000000000000\n"
            "microkit_pps=0x0000000000000000\n"
            "microkit_ioports=0x0000000000000000\n"
            "buffer_vaddr=0x0000000020000000\n"
            "buffer_size=0x0000000000001000\n"
            "buffer_paddr=0x0000000040000000\n"
            "timer_irq_id=0x0000000000000003\n"
            "peer_channel=0x0000000000000000\n"
            "child_pd_id=0x0000000000000007\n");

  // The same ELF used by two PDs gets an independent copy each.
  Result<std::vector<uint8_t>> child = patched_elf(*p.image, 1);
  Result<std::vector<uint8_t>> client = patched_elf(*p.image, 2);
  ASSERT_TRUE(child.ok() && client.ok());
  std::string child_out = test::run_elf(*child), client_out = test::run_elf(*client);
  EXPECT_NE(child_out.find("microkit_name=child\n"), std::string::npos) << child_out;
  EXPECT_NE(client_out.find("microkit_name=client\n"), std::string::npos) << client_out;
  EXPECT_NE(client_out.find("microkit_passive=0x0000000000000001\n"), std::string::npos);
  EXPECT_NE(client_out.find("peer_channel=0x0000000000000000\n"), std::string::npos);
  // Symbols without a setvar keep their link-time values.
  EXPECT_NE(client_out.find("buffer_vaddr=0x0000000000005555\n"), std::string::npos) << client_out;
}

TEST(ImagePacker, MissingProgramImageListsTheDirectoriesTried) {
  PackOutcome p = pack_text(R"(<system>
  <protection_domain name="a">
    <program_image path="missing.elf" />
  </protection_domain>
</system>)");
  EXPECT_FALSE(p.image);
  std::string d = diagnostics_of(p);
  EXPECT_NE(d.find("3:20 L01 unable to find program image: 'missing.elf'"), std::string::npos) << d;
  ASSERT_EQ(p.loaded.diagnostics.all().size(), 1u);
  ASSERT_EQ(p.loaded.diagnostics.all()[0].related.size(), 1u);
  EXPECT_NE(p.loaded.diagnostics.all()[0].related[0].message.find("missing.elf"), std::string::npos);
  EXPECT_EQ(p.loaded.diagnostics.all()[0].microkit, "Error: unable to find program image: 'missing.elf'");
}

// Every ELF-stage error of several PDs, reported in one run at the right place.
TEST(ImagePacker, ReportsEveryElfProblemOfEveryPdInOneRun) {
  test::ScratchDir dir;
  std::vector<uint8_t> good = test::fixture_bytes("pd_data");
  dir.write("text.elf", std::string("this is not an ELF\n"));
  std::vector<uint8_t> b32 = good;
  b32[EI_CLASS] = ELFCLASS32;
  dir.write("elf32.elf", b32);
  std::vector<uint8_t> big = good;
  big[EI_DATA] = ELFDATA2MSB;
  dir.write("big.elf", big);
  std::vector<uint8_t> nophdr = good;
  Elf64_Ehdr eh = test::header_of(good);
  eh.e_phnum = 0;
  test::set_header(nophdr, eh);
  dir.write("nophdr.elf", nophdr);
  std::vector<uint8_t> arm = good;
  eh = test::header_of(good);
  eh.e_machine = EM_AARCH64;
  test::set_header(arm, eh);
  dir.write("arm.elf", arm);
  std::vector<uint8_t> high = good;
  eh = test::header_of(good);
  for (size_t i = eh.e_phnum; i-- > 0;) {
    Elf64_Phdr ph = test::phdr_of(good, i);
    if (ph.p_type != PT_LOAD) continue;
    ph.p_vaddr = 0x6fffffffb000;  // into the stack below the guard and IPC pages
    ph.p_memsz = 0x2000;
    test::set_phdr(high, i, ph);
    break;
  }
  dir.write("high.elf", high);

  PackOutcome p = pack_text(R"(<system>
  <memory_region name="m" size="0x1000" />
  <protection_domain name="text" priority="1"><program_image path="text.elf" /></protection_domain>
  <protection_domain name="elf32" priority="2"><program_image path="elf32.elf" /></protection_domain>
  <protection_domain name="big" priority="3"><program_image path="big.elf" /></protection_domain>
  <protection_domain name="nophdr" priority="4"><program_image path="nophdr.elf" /></protection_domain>
  <protection_domain name="stripped" priority="5"><program_image path="pd_stripped.elf" /></protection_domain>
  <protection_domain name="arm" priority="6"><program_image path="arm.elf" /></protection_domain>
  <protection_domain name="high" priority="7"><program_image path="high.elf" /></protection_domain>
  <protection_domain name="overlap" priority="8">
    <program_image path="pd_data.elf" />
    <map mr="m" vaddr="0x201000" />
  </protection_domain>
  <protection_domain name="plain" priority="9"><program_image path="pd_plain.elf" /></protection_domain>
  <protection_domain name="badsize" priority="10">
    <program_image path="pd_badsize.elf" />
    <map mr="m" vaddr="0x20000000" setvar_vaddr="buffer_vaddr" />
  </protection_domain>
  <protection_domain name="dup" priority="11">
    <program_image path="pd_dup.elf" />
    <map mr="m" vaddr="0x20000000" setvar_vaddr="buffer_vaddr" setvar_size="buffer_size" />
    <setvar symbol="no_such_symbol" region_paddr="m" />
  </protection_domain>
</system>)",
                            {dir.path()});
  EXPECT_FALSE(p.image);
  std::string d = diagnostics_of(p);
  std::string t = dir.path();
  EXPECT_NE(d.find("3:62 L02 failed to parse ELF '" + t + "/text.elf' for PD 'text': magic check failed"),
            std::string::npos) << d;
  EXPECT_NE(d.find("4:63 L03 ELF '" + t + "/elf32.elf': unsupported word size: '32'"), std::string::npos) << d;
  EXPECT_NE(d.find("5:61 L04 ELF '" + t +
                   "/big.elf': incorrect endianness, only little endian architectures are supported"),
            std::string::npos) << d;
  EXPECT_NE(d.find("6:64 L04 ELF '" + t + "/nophdr.elf': has no program headers"), std::string::npos) << d;
  EXPECT_NE(d.find("7:66 L04 ELF '"), std::string::npos) << d;
  EXPECT_NE(d.find("pd_stripped.elf': unable to find symbol table section"), std::string::npos) << d;
  EXPECT_NE(d.find("8:61 L09 program image for PD 'arm' is built for AArch64, target needs x86-64"),
            std::string::npos) << d;
  EXPECT_NE(d.find("9:62 L11 ELF segment [0x6fffffffb000..0x6fffffffd000) of PD 'high' overlaps the stack area "
                   "[0x6fffffffc000..0x700000000000)"),
            std::string::npos) << d;
  EXPECT_NE(d.find("12:17 L07 mapping MR 'm' to PD 'overlap' with vaddr [0x201000..0x202000) will overlap with an "
                   "ELF segment at [0x201000..0x202000)"),
            std::string::npos) << d;
  EXPECT_NE(d.find("14:48 L08 program image for PD 'plain' does not define 'microkit_name' (is it built with the "
                   "corokit SDK?)"),
            std::string::npos) << d;
  EXPECT_NE(d.find("L08 program image for PD 'plain' does not define 'microkit_ioports'"), std::string::npos) << d;
  EXPECT_NE(d.find("16:5 L08 program image for PD 'badsize' defines 'microkit_irqs' with size 4, expected 8"),
            std::string::npos) << d;
  EXPECT_NE(d.find("17:36 L06 setvar to non-word size symbol 'buffer_vaddr' for PD 'badsize', symbol has size "
                   "'4' bytes, expected size '8' bytes"),
            std::string::npos) << d;
  EXPECT_NE(d.find("21:36 L05 could not patch symbol 'buffer_vaddr' in program image for PD 'dup' ("), std::string::npos)
      << d;
  EXPECT_NE(d.find("multiple symbols with name 'buffer_vaddr'"), std::string::npos) << d;
  EXPECT_NE(d.find("21:64 L10 symbol 'buffer_size' of PD 'dup' is not inside a loadable segment"), std::string::npos)
      << d;
  EXPECT_NE(d.find("22:13 L05 could not patch symbol 'no_such_symbol' in program image for PD 'dup' ("),
            std::string::npos) << d;
  EXPECT_NE(d.find("no symbol named 'no_such_symbol' found"), std::string::npos) << d;
}

// Content addressing: the same bytes under another path are stored once too; different bytes are
// not merged.
TEST(ImagePacker, StoresEachDistinctElfOnce) {
  test::ScratchDir dir;
  dir.write("copy_of_data.elf", test::fixture_bytes("pd_data"));
  PackOutcome p = pack_text(R"(<system>
  <protection_domain name="a" priority="3"><program_image path="pd_bss.elf" /></protection_domain>
  <protection_domain name="b" priority="2"><program_image path="pd_data.elf" /></protection_domain>
  <protection_domain name="c" priority="1"><program_image path="copy_of_data.elf" /></protection_domain>
  <protection_domain name="d" priority="4"><program_image path="pd_bss.elf" /></protection_domain>
</system>)",
                            {dir.path()});
  ASSERT_TRUE(p.image) << diagnostics_of(p);
  const SystemImage& img = *p.image;
  ASSERT_EQ(img.elfs.size(), 2u);
  EXPECT_EQ(img.elfs[0], test::fixture_bytes("pd_bss"));
  EXPECT_EQ(img.elfs[1], test::fixture_bytes("pd_data"));
  std::vector<uint32_t> refs;
  for (const PdImage& pd : img.pds) refs.push_back(pd.elf);
  EXPECT_EQ(refs, (std::vector<uint32_t>{0, 1, 1, 0}));
  // Each PD keeps its own source path and patch table.
  EXPECT_NE(img.pds[2].source_path.find("copy_of_data.elf"), std::string::npos);
  Result<std::vector<uint8_t>> c = patched_elf(img, 2);
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_NE(test::run_elf(*c).find("microkit_name=c\n"), std::string::npos);
}

TEST(ImagePacker, SymbolsComeFromPathForSymbols) {
  // The loadable image is stripped; the symbols come from the unstripped build of the same code.
  PackOutcome p = pack_text(R"(<system>
  <protection_domain name="a">
    <program_image path="pd_stripped.elf" path_for_symbols="pd_data.elf" />
  </protection_domain>
</system>)");
  ASSERT_TRUE(p.image) << diagnostics_of(p);
  EXPECT_NE(p.image->pds[0].source_path.find("pd_stripped.elf"), std::string::npos);
  Result<std::vector<uint8_t>> elf = patched_elf(*p.image, 0);
  ASSERT_TRUE(elf.ok()) << elf.error();
  EXPECT_NE(test::run_elf(*elf).find("microkit_name=a\n"), std::string::npos);

  PackOutcome missing = pack_text(R"(<system>
  <protection_domain name="a">
    <program_image path="pd_stripped.elf" path_for_symbols="nowhere.elf" />
  </protection_domain>
</system>)");
  EXPECT_FALSE(missing.image);
  EXPECT_NE(diagnostics_of(missing).find("L01 unable to find program image for symbols: 'nowhere.elf'"),
            std::string::npos) << diagnostics_of(missing);
}

TEST(ImagePacker, WarnsAboutMissingEntryPoints) {
  PackOutcome p = pack_text(R"(<system>
  <protection_domain name="parent" priority="10">
    <program_image path="pd_minimal.elf" />
    <protection_domain name="kid" id="1" priority="5"><program_image path="pd_minimal.elf" /></protection_domain>
  </protection_domain>
  <channel><end pd="kid" id="0" pp="true" /><end pd="parent" id="0" /></channel>
</system>)");
  ASSERT_TRUE(p.image) << diagnostics_of(p);
  std::string d = diagnostics_of(p);
  EXPECT_NE(d.find("3:5 W07 PD 'parent' receives PPCs but does not define protected()"), std::string::npos) << d;
  EXPECT_NE(d.find("3:5 W07 PD 'parent' has children but does not define fault()"), std::string::npos) << d;
  EXPECT_EQ(p.loaded.diagnostics.warnings(), 2u) << d;
}

TEST(ImagePacker, ReportsWhenThePseudoPhysicalWindowIsFull) {
  PackOutcome p = pack_text(R"(<system>
  <memory_region name="fixed" size="0x1000" phys_addr="0x40000000" />
  <memory_region name="huge" size="0x80000000" />
  <protection_domain name="a">
    <program_image path="pd_data.elf" />
    <setvar symbol="buffer_paddr" region_paddr="huge" />
  </protection_domain>
</system>)");
  EXPECT_FALSE(p.image);
  EXPECT_NE(diagnostics_of(p).find("L12 no room for memory region 'huge'"), std::string::npos) << diagnostics_of(p);
}

TEST(ImagePacker, SdfErrorsStopBeforeTheElfStage) {
  PackOutcome p = pack_text(R"(<system>
  <protection_domain name="a" priority="300"><program_image path="missing.elf" /></protection_domain>
</system>)");
  EXPECT_FALSE(p.image);
  std::string d = diagnostics_of(p);
  EXPECT_EQ(d.find("L01"), std::string::npos) << d;
  EXPECT_TRUE(p.loaded.diagnostics.has_errors());
}

}  // namespace
}  // namespace corokit::image
