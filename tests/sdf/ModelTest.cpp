// What a valid system description turns into: the model, resolved and finalised.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "system/diag/DiagnosticRender.h"
#include "tests/sdf/SdfTestSupport.h"

namespace corokit::sdf::testing {
namespace {

namespace fs = std::filesystem;

// A directory that removes itself.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/corokit-sdf-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string file(const std::string& name, const std::string& content) const {
    std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Model, ChildrenFlattenDepthFirst) {
  LoadedSystem r = check_text(R"(<system>
  <protection_domain name="A" priority="10">
    <program_image path="a.elf" />
    <protection_domain name="B" id="1" priority="9">
      <program_image path="b.elf" />
      <protection_domain name="D" id="0" priority="8">
        <program_image path="d.elf" />
      </protection_domain>
    </protection_domain>
    <protection_domain name="C" id="2" setvar_id="c_id">
      <program_image path="c.elf" />
    </protection_domain>
  </protection_domain>
</system>
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  ASSERT_EQ(r.system.pds.size(), 4u);
  EXPECT_EQ(r.system.pds[0].name, "A");
  EXPECT_EQ(r.system.pds[1].name, "B");
  EXPECT_EQ(r.system.pds[2].name, "D");
  EXPECT_EQ(r.system.pds[3].name, "C");
  EXPECT_EQ(r.system.pds[0].children, (std::vector<uint32_t>{1, 3}));
  EXPECT_EQ(r.system.pds[1].children, (std::vector<uint32_t>{2}));
  EXPECT_EQ(r.system.pds[2].parent, 1u);
  EXPECT_EQ(r.system.pds[3].child_id, 2u);
  EXPECT_EQ(r.system.pds[3].setvar_id, "c_id");
}

TEST(Model, DefaultsAndAttributes) {
  LoadedSystem r = check_text(R"(<system>
  <protection_domain name="a" priority="200" budget="500" period="2_000" passive="true"
                     stack_size="0x4000" cpu="1" fpu="true">
    <program_image path="a.elf" path_for_symbols="a.sym" />
  </protection_domain>
  <protection_domain name="b">
    <program_image path="b.elf" />
  </protection_domain>
  <channel>
    <end pd="b" id="1" pp="true" notify="false" setvar_id="to_a" />
    <end pd="a" id="0" />
  </channel>
</system>
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  const ProtectionDomain& a = r.system.pds[0];
  EXPECT_EQ(a.priority, 200u);
  EXPECT_EQ(a.budget, 500u);
  EXPECT_EQ(a.period, 2000u);
  EXPECT_TRUE(a.passive);
  EXPECT_EQ(a.stack_size, 0x4000u);
  EXPECT_EQ(a.cpu, 1u);
  EXPECT_EQ(a.program_image->path_for_symbols, "a.sym");
  const ProtectionDomain& b = r.system.pds[1];
  EXPECT_EQ(b.priority, 0u);
  EXPECT_EQ(b.budget, 1000u);
  EXPECT_EQ(b.period, 1000u);
  EXPECT_EQ(b.stack_size, 0x2000u);
  EXPECT_FALSE(b.passive);
  ASSERT_EQ(r.system.channels.size(), 1u);
  const ChannelEnd& end = r.system.channels[0].ends[0];
  EXPECT_EQ(end.pd_index, 1u);
  EXPECT_TRUE(end.pp);
  EXPECT_FALSE(end.notify);
  EXPECT_EQ(r.system.channels[0].ends[1].pd_index, 0u);
  EXPECT_TRUE(r.system.channels[0].ends[1].notify);
}

TEST(Model, PeriodDefaultsToBudget) {
  LoadedSystem r = check_text(
      "<system><protection_domain name=\"a\" budget=\"3000\"><program_image path=\"a\"/>"
      "</protection_domain></system>");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.system.pds[0].period, 3000u);
}

TEST(Model, AutomaticLargePages) {
  LoadedSystem r = check_text(R"(<system>
  <memory_region name="big" size="0x400000" />
  <memory_region name="misaligned" size="0x200000" />
  <memory_region name="small" size="0x1000" />
  <memory_region name="explicit" size="0x200000" page_size="0x1000" />
  <memory_region name="unmapped" size="0x200000" />
  <protection_domain name="a">
    <program_image path="a.elf" />
    <map mr="big" vaddr="0x4000_0000" />
    <map mr="misaligned" vaddr="0x5000_1000" />
    <map mr="small" vaddr="0x6000_0000" />
    <map mr="explicit" vaddr="0x7000_0000" />
  </protection_domain>
  <protection_domain name="b">
    <program_image path="b.elf" />
    <map mr="big" vaddr="0x2000_0000" perms="r" />
  </protection_domain>
</system>
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  const auto& mrs = r.system.memory_regions;
  EXPECT_EQ(mrs[0].page_size, kPageLarge);
  EXPECT_EQ(mrs[1].page_size, kPageSmall);
  EXPECT_EQ(mrs[2].page_size, kPageSmall);
  EXPECT_EQ(mrs[3].page_size, kPageSmall);
  EXPECT_EQ(mrs[4].page_size, kPageLarge);
  EXPECT_EQ(r.system.pds[0].maps[0].mr_index, 0u);
  EXPECT_EQ(r.system.pds[1].maps[0].perms, (Perms{true, false, false}));
}

TEST(Model, DomainIdsAssignedInDocumentOrder) {
  CheckOptions o = options_for("aarch64", 1);
  LoadedSystem r = check_text(R"(<system>
  <domains>
    <domain name="x" />
    <domain name="y" id="0" />
    <domain name="z" />
    <domain_schedule start_index="1">
      <schedule_entry domain="x" duration="100 us" />
      <schedule_entry domain="z" duration="7 ticks" />
      <schedule_end_marker />
    </domain_schedule>
  </domains>
  <protection_domain name="a" domain="z">
    <program_image path="a.elf" />
  </protection_domain>
</system>
)", o);
  ASSERT_TRUE(r.ok()) << dump(r);
  const Domains& d = *r.system.domains;
  EXPECT_EQ(d.domains[0].id, 1u);
  EXPECT_EQ(d.domains[1].id, 0u);
  EXPECT_EQ(d.domains[2].id, 2u);
  EXPECT_EQ(d.schedule->start_index, 1u);
  ASSERT_EQ(d.schedule->entries.size(), 3u);
  EXPECT_EQ(d.schedule->entries[1].duration, 7u);
  EXPECT_TRUE(d.schedule->entries[1].ticks);
  EXPECT_TRUE(d.schedule->entries[2].end_marker);
  EXPECT_EQ(r.system.pds[0].domain_index, 2u);
}

TEST(Model, PrefillSizesAndBytes) {
  TempDir dir;
  dir.file("data.bin", std::string(4112, '\x5a'));
  dir.file("empty.bin", "");
  CheckOptions o = options_for("host");
  o.search_paths = {"/nonexistent", dir.path()};
  LoadedSystem r = check_text(R"(<system>
  <memory_region name="auto" prefill_path="data.bin" />
  <memory_region name="sized" size="0x3000" prefill_path="data.bin" />
  <memory_region name="toosmall" size="0x1000" prefill_path="data.bin" />
  <memory_region name="empty" size="0x1000" prefill_path="empty.bin" />
  <protection_domain name="a">
    <program_image path="a.elf" />
    <map mr="auto" vaddr="0x2000_0000" setvar_vaddr="v" setvar_prefill_size="n" />
    <map mr="sized" vaddr="0x3000_0000" />
    <map mr="toosmall" vaddr="0x4000_0000" />
    <map mr="empty" vaddr="0x5000_0000" />
  </protection_domain>
</system>
)", o);
  EXPECT_TRUE(has_diagnostic(r, "A22", "size of prefill file exceeds memory region size: 1010 > 1000",
                             "prefill_path=\"data.bin\" />\n  <memory_region name=\"empty\""));
  EXPECT_TRUE(has_diagnostic(r, "A23", "prefill file 'empty.bin' is empty", "prefill_path=\"empty.bin\""));
  EXPECT_EQ(codes(r), (std::multiset<std::string>{"A22", "A23"}));
  const auto& mrs = r.system.memory_regions;
  EXPECT_EQ(mrs[0].size, 0x2000u);
  EXPECT_EQ(mrs[0].prefill.size(), 4112u);
  EXPECT_EQ(mrs[0].prefill_resolved, dir.path() + "/data.bin");
  EXPECT_EQ(mrs[1].size, 0x3000u);
}

TEST(Model, PrefillRelativeToCurrentDirectoryLast) {
  TempDir dir;
  dir.file("p.bin", "x");
  std::string cwd = fs::current_path();
  fs::current_path(dir.path());
  LoadedSystem r = check_text(R"(<system>
  <memory_region name="m" prefill_path="p.bin" />
  <protection_domain name="a"><program_image path="a.elf" /><map mr="m" vaddr="0x2000_0000" /></protection_domain>
</system>
)");
  fs::current_path(cwd);
  EXPECT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.system.memory_regions[0].size, 0x1000u);
}

TEST(Model, SetvarResolvesRegion) {
  LoadedSystem r = check_text(R"(<system>
  <memory_region name="dev" size="0x1000" phys_addr="0x0900_0000" />
  <protection_domain name="a">
    <program_image path="a.elf" />
    <map mr="dev" vaddr="0x2000_0000" perms="r" cached="false" />
    <setvar symbol="dev_paddr" region_paddr="dev" />
  </protection_domain>
</system>
)");
  ASSERT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.system.pds[0].setvars[0].mr_index, 0u);
  EXPECT_FALSE(r.system.pds[0].maps[0].cached);
  EXPECT_TRUE(r.diagnostics.empty()) << dump(r);
}

TEST(Modes, StrictTurnsRelaxationsIntoErrors) {
  const std::string xml = R"(<system>
  <protection_domain name="a"><program_image path="a.elf" /></protection_domain>
  <protection_domain name="b"><program_image path="b.elf" /></protection_domain>
  <channel><end pd="a" id="0x1" /><end pd="b" id="1" /></channel>
</system>
)";
  LoadedSystem relaxed = check_text(xml);
  EXPECT_TRUE(relaxed.ok());
  EXPECT_EQ(relaxed.diagnostics.warnings(), 1u);
  CheckOptions strict = options_for("host");
  strict.strict = true;
  LoadedSystem r = check_text(xml, strict);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has_diagnostic(r, "G02", "only accepts a decimal value", "id=\"0x1\""));
  EXPECT_EQ(r.system.channels[0].ends[0].id, 1u);
}

TEST(Modes, LiftLimits) {
  std::string xml = "<system>\n";
  for (int i = 0; i < 100; ++i) {
    xml += "<protection_domain name=\"p" + std::to_string(i) + "\"><program_image path=\"x\" /></protection_domain>\n";
  }
  xml += "<protection_domain name=\"parent\"><program_image path=\"x\" />"
         "<protection_domain name=\"kid\" id=\"500\"><program_image path=\"x\" /></protection_domain>"
         "</protection_domain>\n</system>\n";
  LoadedSystem normal = check_text(xml);
  EXPECT_EQ(codes(normal), (std::multiset<std::string>{"G03", "S02"}));
  CheckOptions lifted = options_for("host");
  lifted.lift_limits = true;
  LoadedSystem r = check_text(xml, lifted);
  EXPECT_TRUE(r.ok()) << dump(r);
  EXPECT_EQ(r.system.pds.size(), 102u);
}

TEST(Modes, HostDiagnosticsAreErrorsWhenPacking) {
  const std::string xml = R"(<system>
  <protection_domain name="a"><program_image path="a.elf" /><irq irq="99" id="0" /></protection_domain>
</system>
)";
  EXPECT_TRUE(check_text(xml).ok());
  CheckOptions pack = options_for("host");
  pack.host_severity = HostSeverity::Error;
  LoadedSystem r = check_text(xml, pack);
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(has_diagnostic(r, "H02", "IRQ 99 is not a host-board device interrupt", "irq=\"99\""));
}

TEST(Modes, SameFileOtherTargets) {
  // An ARM interrupt number not on the host board is fine for aarch64, an error for x86.
  const std::string xml = R"(<system>
  <protection_domain name="a"><program_image path="a.elf" /><irq irq="99" id="0" /></protection_domain>
</system>
)";
  EXPECT_TRUE(check_text(xml, "aarch64").diagnostics.empty());
  EXPECT_EQ(codes(check_text(xml, "x86_64")), (std::multiset<std::string>{"A12"}));
  EXPECT_EQ(codes(check_text(xml, "host")), (std::multiset<std::string>{"H02"}));
}

TEST(Render, MicrokitLineShapes) {
  LoadedSystem r = check_text(R"(<system>
  <memory_region name="m" size="0x1000" />
  <protection_domain name="a" priority="300">
    <program_image path="a.elf" />
    <map mr="ghost" vaddr="0x2000_0000" bogus="1" />
  </protection_domain>
</system>
)");
  diag::MicrokitLines lines = diag::render_microkit(r.diagnostics);
  EXPECT_EQ(lines.warnings, "WARNING: unused memory region 'm'\n");
  EXPECT_NE(lines.errors.find(
                "Error: priority must be between 0 and 254 on element 'protection_domain': test.xml:3:3\n"),
            std::string::npos)
      << lines.errors;
  EXPECT_NE(lines.errors.find("Error: invalid attribute 'bogus' on element 'map': test.xml:5:5\n"),
            std::string::npos)
      << lines.errors;
  EXPECT_NE(lines.errors.find("Error: invalid memory region name 'ghost' on 'map' @ test.xml:5:5\n"),
            std::string::npos)
      << lines.errors;
}

TEST(Render, HumanFormat) {
  LoadedSystem r = check_text(R"(<system>
  <protection_domain name="a"><program_image path="a.elf" /></protection_domain>
  <protection_domain name="a"><program_image path="b.elf" /></protection_domain>
</system>
)");
  EXPECT_EQ(diag::render_human(r.diagnostics),
            "test.xml:3:22: error[S03]: duplicate protection domain name 'a'.\n"
            "    test.xml:2:22: note: first declared here\n"
            "1 error, 0 warnings\n");
}

TEST(Render, JsonFormat) {
  LoadedSystem r = check_text(R"(<system>
  <protection_domain name="a" priority="x"><program_image path="a.elf" /></protection_domain>
</system>
)");
  std::string json = diag::render_json(r.diagnostics);
  EXPECT_NE(json.find("\"version\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"errors\": 1"), std::string::npos) << json;
  EXPECT_NE(json.find("\"code\": \"P02\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"attribute\": \"priority\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"line\": 2"), std::string::npos) << json;
  EXPECT_NE(json.find("\"column\": 31"), std::string::npos) << json;
  EXPECT_NE(json.find("\"end_column\": 43"), std::string::npos) << json;
  EXPECT_NE(json.find("\"microkit\": \"Error: failed to parse integer 'x'"), std::string::npos) << json;
}

TEST(Render, SortedByPositionThenCode) {
  LoadedSystem r = check_text(R"(<system>
  <protection_domain name="a" priority="x" budget="y"><program_image path="a.elf" /></protection_domain>
  <memory_region name="" size="0" />
</system>
)");
  ASSERT_GE(r.diagnostics.all().size(), 3u);
  for (size_t i = 1; i < r.diagnostics.all().size(); ++i) {
    const auto& a = r.diagnostics.all()[i - 1].range;
    const auto& b = r.diagnostics.all()[i].range;
    EXPECT_TRUE(a.line < b.line || (a.line == b.line && a.column <= b.column));
  }
}

TEST(SourceMap, ColumnsCountCharactersAndTabs) {
  // "é" is two bytes, one character; a tab counts as one column.
  LoadedSystem r = check_text("<system>\n<!-- é -->\t<protection_domain name=\"é\" priority=\"x\">"
                              "<program_image path=\"a\"/></protection_domain></system>");
  EXPECT_TRUE(has_diagnostic(r, "P02", "failed to parse integer 'x'", "priority="));
  const diag::Diagnostic& d = r.diagnostics.all()[0];
  EXPECT_EQ(d.range.line, 2u);
  EXPECT_EQ(d.range.column, 40u);
}

}  // namespace
}  // namespace corokit::sdf::testing
