// Packing real SDK-linked PDs: the SDK's weak entry-point defaults do not count as definitions, so
// W07 names a PPC target that lacks protected() (C example `hello`) and not one that has it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "system/image/ImagePacker.h"

namespace corokit::testing {
namespace {

TEST(PackWarnings, WeakEntryPointDefaultsDoNotCount) {
  sdf::CheckOptions o;
  o.target = sdf::builtin_profile("host", 2).value();
  o.search_paths = {std::string(COROKIT_EXAMPLES_BIN) + "/c"};
  image::PackOutcome out = image::pack_sdf_text(R"(<system>
  <protection_domain name="hello" priority="30"><program_image path="hello.elf" /></protection_domain>
  <protection_domain name="server" priority="20"><program_image path="server.elf" /></protection_domain>
  <protection_domain name="client" priority="10"><program_image path="client.elf" /></protection_domain>
  <channel><end pd="server" id="1" pp="true" /><end pd="hello" id="1" /></channel>
  <channel><end pd="client" id="0" pp="true" /><end pd="server" id="0" /></channel>
</system>)", "w07.system", o);
  ASSERT_TRUE(out.image.has_value());
  std::vector<std::string> w07;
  for (const diag::Diagnostic& d : out.loaded.diagnostics.all()) {
    if (d.code == "W07") w07.push_back(d.message);
  }
  EXPECT_THAT(w07, ::testing::ElementsAre("PD 'hello' receives PPCs but does not define protected()"));
}

}  // namespace
}  // namespace corokit::testing
