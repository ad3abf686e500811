// Hostile inputs get diagnostics, never a crash, hang or unbounded work (SDF.md §2.3).
#include <gtest/gtest.h>

#include "tests/sdf/SdfTestSupport.h"

namespace corokit::sdf::testing {
namespace {

TEST(Pathological, EmptyDocument) {
  LoadedSystem r = check_text("");
  EXPECT_EQ(codes(r), (std::multiset<std::string>{"P01"}));
  EXPECT_NE(r.diagnostics.all()[0].message.find("the document is empty"), std::string::npos);
}

TEST(Pathological, NulByte) {
  LoadedSystem r = check_text(std::string("<system>\n  <x a=\"1\0\"/>\n</system>", 31));
  ASSERT_EQ(codes(r), (std::multiset<std::string>{"P01"}));
  EXPECT_NE(r.diagnostics.all()[0].message.find("NUL byte"), std::string::npos);
  EXPECT_EQ(r.diagnostics.all()[0].range.line, 2u);
}

TEST(Pathological, DeepNestingIsAnErrorNotAStackOverflow) {
  std::string xml = "<system>";
  for (int i = 0; i < 100000; ++i) xml += "<protection_domain name=\"x\">";
  for (int i = 0; i < 100000; ++i) xml += "</protection_domain>";
  xml += "</system>";
  LoadedSystem r = check_text(xml);
  EXPECT_EQ(codes(r), (std::multiset<std::string>{"P01"}));
  EXPECT_NE(r.diagnostics.all()[0].message.find("nested too deeply"), std::string::npos);
}

TEST(Pathological, NestingWithinTheLimitIsChecked) {
  // 30 levels of children: a legal depth; every level's program image is missing.
  std::string xml = "<system>";
  for (int i = 0; i < 30; ++i) {
    xml += "<protection_domain name=\"p" + std::to_string(i) + "\"" +
           (i ? " id=\"1\"" : "") + " priority=\"" + std::to_string(200 - i) + "\">";
  }
  for (int i = 0; i < 30; ++i) xml += "</protection_domain>";
  xml += "</system>";
  LoadedSystem r = check_text(xml);
  EXPECT_EQ(codes(r).count("E02"), 30u);
  EXPECT_EQ(r.system.pds.size(), 30u);
}

TEST(Pathological, EntitiesAreNeverExpanded) {
  std::string xml = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<system>
  <protection_domain name="&lol3;&xxe;"><program_image path="a.elf" /></protection_domain>
</system>
)";
  LoadedSystem r = check_text(xml);
  // Either the document is rejected, or the name stays short: nothing was expanded or loaded.
  if (!r.system.pds.empty()) {
    EXPECT_LT(r.system.pds[0].name.size(), 64u);
    EXPECT_EQ(r.system.pds[0].name.find("root:"), std::string::npos);
  } else {
    EXPECT_FALSE(r.ok());
  }
}

TEST(Pathological, HugeAttribute) {
  std::string big(10 * 1024 * 1024, '7');
  LoadedSystem r = check_text("<system><protection_domain name=\"a\" priority=\"" + big +
                              "\"><program_image path=\"a\" /></protection_domain></system>");
  EXPECT_TRUE(has_diagnostic(r, "P02", "number too large to fit in target type", "priority="));
  LoadedSystem name = check_text("<system><protection_domain name=\"" + big +
                                 "\"><program_image path=\"a\" /></protection_domain></system>");
  EXPECT_TRUE(has_diagnostic(name, "G07", "10485760 bytes long", "name="));
}

TEST(Pathological, HugeNumbersEverywhere) {
  const std::string max = "0xffff_ffff_ffff_ffff";
  LoadedSystem r = check_text("<system>\n<memory_region name=\"m\" size=\"0xffff_ffff_ffff_f000\" phys_addr=\"0x2000\" />\n"
                              "<protection_domain name=\"a\" stack_size=\"" + max + "\" budget=\"" + max + "\" period=\"" + max +
                              "\" cpu=\"" + max + "\"><program_image path=\"a\" />\n"
                              "<map mr=\"m\" vaddr=\"0xffff_ffff_ffff_f000\" />\n</protection_domain></system>");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(codes(r).count("G17"), 1u);  // phys_addr + size
  EXPECT_EQ(codes(r).count("A03"), 1u);
  EXPECT_EQ(codes(r).count("G10"), 1u);
}

TEST(Pathological, GarbageBytes) {
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk.push_back(static_cast<char>((i * 7919) & 0xff));
  LoadedSystem r = check_text(junk);
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace corokit::sdf::testing
