// The text `corokit gen` produces, compared with reviewed golden headers, and the bindings it is
// made of (names, facets, values) checked field by field.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "system/gen/BindingGenerator.h"
#include "system/gen/PdBindings.h"
#include "system/sdf/SystemLoader.h"
#include "system/sdf/Target.h"

namespace corokit::gen {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

sdf::LoadedSystem load(const std::string& path) {
  sdf::CheckOptions options;
  options.target = *sdf::builtin_profile("host", 1);
  options.search_paths = {COROKIT_GEN_GOLDEN};
  return sdf::load_system_file(path, options);
}

sdf::LoadedSystem golden_system() { return load(COROKIT_GEN_GOLDEN "/system.xml"); }

sdf::LoadedSystem from_text(const std::string& xml) {
  sdf::CheckOptions options;
  options.target = *sdf::builtin_profile("host", 1);
  return sdf::load_system_text(xml, "inline.system", options);
}

std::string generate(const sdf::System& system, const std::string& pd, Language lang) {
  GenOptions o;
  o.language = lang;
  o.source = "system.xml";
  Result<std::string> text = generate_bindings(system, pd, *sdf::builtin_profile("host", 1), o);
  EXPECT_TRUE(text.ok()) << (text.ok() ? "" : text.error());
  return text.ok() ? *text : "";
}

// The golden files are regenerated with (review the diff before committing them), for each PD
// (server, client) and language (cpp -> .hpp, c -> .h):
//   corokit gen tests/gen/golden/system.xml --search-path tests/gen/golden --pd server --lang cpp
//     -o tests/gen/golden/server.hpp
struct Golden {
  const char* pd;
  Language lang;
  const char* file;
};

void PrintTo(const Golden& g, std::ostream* os) { *os << g.file; }

class GoldenText : public ::testing::TestWithParam<Golden> {};

TEST_P(GoldenText, MatchesTheReviewedHeader) {
  sdf::LoadedSystem loaded = golden_system();
  ASSERT_TRUE(loaded.ok());
  std::string text = generate(loaded.system, GetParam().pd, GetParam().lang);
  EXPECT_EQ(text, read_text(std::string(COROKIT_GEN_GOLDEN "/") + GetParam().file));
  EXPECT_EQ(generate(loaded.system, GetParam().pd, GetParam().lang), text) << "deterministic";
}

INSTANTIATE_TEST_SUITE_P(Headers, GoldenText,
                         ::testing::Values(Golden{"server", Language::Cpp, "server.hpp"},
                                           Golden{"server", Language::C, "server.h"},
                                           Golden{"client", Language::Cpp, "client.hpp"},
                                           Golden{"client", Language::C, "client.h"}),
                         [](const auto& info) {
                           return std::string(info.param.pd) + (info.param.lang == Language::Cpp ? "_cpp" : "_c");
                         });

PdBindings server() {
  sdf::LoadedSystem loaded = golden_system();
  EXPECT_TRUE(loaded.ok());
  Result<PdBindings> b = describe_pd(loaded.system, "server", *sdf::builtin_profile("host", 1));
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : PdBindings{};
}

TEST(PdBindings, ChannelsAreNamedAfterPeersAndDisambiguatedById) {
  PdBindings b = server();
  ASSERT_EQ(b.channels.size(), 6u);
  std::vector<std::string> names;
  for (const ChannelBinding& c : b.channels) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"client_0", "client_1", "driver_1_2", "driver_1_3", "server_4",
                                             "server_5"}));
}

TEST(PdBindings, FacetsFollowTheSdf) {
  PdBindings b = server();
  ASSERT_EQ(b.channels.size(), 6u);
  const ChannelBinding& called = b.channels[0];  // client makes PPCs to the server
  EXPECT_TRUE(called.notify);
  EXPECT_FALSE(called.pp);
  EXPECT_TRUE(called.receives_calls);
  const ChannelBinding& quiet = b.channels[1];  // notify="false" on the server's end
  EXPECT_FALSE(quiet.notify);
  EXPECT_FALSE(quiet.receives_calls);
  const ChannelBinding& caller = b.channels[2];  // the server calls driver-1
  EXPECT_TRUE(caller.pp);
  EXPECT_TRUE(caller.notify);
  EXPECT_EQ(caller.peer, "driver-1");
  EXPECT_EQ(caller.peer_id, 0u);
  EXPECT_EQ(b.notification_mask, 0b011101u);
  EXPECT_EQ(b.pp_mask, 0b000100u);
  EXPECT_EQ(b.irq_mask, (1u << 10) | (1u << 11) | (1u << 12));
}

TEST(PdBindings, IrqsAreNamedAfterHostBoardDevices) {
  PdBindings b = server();
  ASSERT_EQ(b.irqs.size(), 3u);
  EXPECT_EQ(b.irqs[0].name, "timer");
  EXPECT_EQ(b.irqs[1].name, "console");
  EXPECT_EQ(b.irqs[2].name, "irq_12");
  EXPECT_EQ(b.irqs[2].id, 12u);
}

TEST(PdBindings, RegionsAreNamedAfterSetvarOrMr) {
  PdBindings b = server();
  std::vector<std::string> names;
  for (const RegionBinding& r : b.regions) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"buffer_vaddr", "shared_buffer", "config_ro", "code_3", "blob", "uart",
                                             "code_6"}));
  EXPECT_EQ(b.regions[0].size, 0x2000u);
  EXPECT_TRUE(b.regions[0].perms.write);
  EXPECT_FALSE(b.regions[1].perms.write);
  ASSERT_TRUE(b.regions[4].prefill_size.has_value());
  EXPECT_EQ(*b.regions[4].prefill_size, 27u);
  EXPECT_EQ(b.regions[4].size, 0x1000u) << "rounded up to a page";
}

TEST(PdBindings, ChildrenAndSetvarValuesComeFromThePacker) {
  PdBindings b = server();
  ASSERT_EQ(b.children.size(), 2u);
  EXPECT_EQ(b.children[0].name, "class_");
  EXPECT_EQ(b.children[0].id, 1u);
  EXPECT_EQ(b.children[1].name, "_2fast");
  std::map<std::string, uint64_t> values;
  for (const SetvarBinding& s : b.setvars) {
    ASSERT_TRUE(s.value.has_value()) << s.symbol;
    values[s.symbol] = *s.value;
  }
  EXPECT_EQ(values.at("buffer_vaddr"), 0x2000000u);
  EXPECT_EQ(values.at("buffer_size"), 0x2000u);
  EXPECT_EQ(values.at("blob_length"), 27u);
  EXPECT_EQ(values.at("timer_irq"), 10u);
  EXPECT_EQ(values.at("fixed_paddr"), 0x80000000u);
  EXPECT_EQ(values.at("floating_paddr"), 0x40000000u) << "the first pseudo-physical RAM page";
  EXPECT_EQ(values.at("class_child"), 1u);
  EXPECT_EQ(values.at("client_quiet_id"), 1u);
}

TEST(PdBindings, PseudoPhysicalAddressesAreUnknownOffTheHost) {
  sdf::LoadedSystem loaded = golden_system();
  ASSERT_TRUE(loaded.ok());
  Result<PdBindings> b = describe_pd(loaded.system, "server", *sdf::builtin_profile("aarch64", 1));
  ASSERT_TRUE(b.ok());
  for (const SetvarBinding& s : b->setvars) {
    EXPECT_EQ(s.value.has_value(), s.symbol != "floating_paddr") << s.symbol;
  }
  for (const IrqBinding& i : b->irqs) EXPECT_EQ(i.name, "irq_" + std::to_string(i.id));
}

TEST(Generate, UnknownPdIsAnErrorNamingThePds) {
  sdf::LoadedSystem loaded = golden_system();
  Result<std::string> r = generate_bindings(loaded.system, "nobody", *sdf::builtin_profile("host", 1), {});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().find("no protection domain named 'nobody'"), std::string::npos) << r.error();
  EXPECT_NE(r.error().find("'driver-1'"), std::string::npos) << r.error();
}

TEST(Generate, NamespaceMustBeQualifiedIdentifiers) {
  sdf::LoadedSystem loaded = golden_system();
  for (const char* bad : {"", "a::", "::a", "a:::b", "1a", "class", "a-b"}) {
    GenOptions o;
    o.cpp_namespace = bad;
    EXPECT_FALSE(generate_bindings(loaded.system, "client", *sdf::builtin_profile("host", 1), o).ok()) << bad;
  }
  GenOptions o;
  o.cpp_namespace = "app::sdf";
  Result<std::string> r = generate_bindings(loaded.system, "client", *sdf::builtin_profile("host", 1), o);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->find("namespace app::sdf::client {"), std::string::npos);
}

TEST(Generate, NamesInCommentsAndStringsCannotBreakOut) {
  sdf::LoadedSystem loaded = from_text(
      "<system><memory_region name=\"m*/x\" size=\"0x1000\"/>"
      "<protection_domain name=\"p\\&quot;q\"><program_image path=\"a.elf\"/>"
      "<map mr=\"m*/x\" vaddr=\"0x2000000\"/></protection_domain></system>");
  ASSERT_TRUE(loaded.ok());
  for (Language lang : {Language::Cpp, Language::C}) {
    std::string text = generate(loaded.system, "p\\\"q", lang);
    EXPECT_NE(text.find("\"p\\\\\\\"q\""), std::string::npos) << text;
    EXPECT_EQ(text.find("m*/x"), std::string::npos) << text;
    EXPECT_NE(text.find("m* /x"), std::string::npos) << text;
  }
}

TEST(Generate, CaseOnlyDifferencesStayDistinctInC) {
  sdf::LoadedSystem loaded = from_text(
      "<system><protection_domain name=\"p\" priority=\"1\"><program_image path=\"a.elf\"/></protection_domain>"
      "<protection_domain name=\"Peer\"><program_image path=\"a.elf\"/></protection_domain>"
      "<protection_domain name=\"peer\"><program_image path=\"a.elf\"/></protection_domain>"
      "<channel><end pd=\"p\" id=\"1\"/><end pd=\"Peer\" id=\"0\"/></channel>"
      "<channel><end pd=\"p\" id=\"2\"/><end pd=\"peer\" id=\"0\"/></channel></system>");
  ASSERT_TRUE(loaded.ok());
  std::string c = generate(loaded.system, "p", Language::C);
  EXPECT_NE(c.find("P_CH_PEER_0 = 1,"), std::string::npos) << c;
  EXPECT_NE(c.find("P_CH_PEER_1 = 2,"), std::string::npos) << c;
  std::string cpp = generate(loaded.system, "p", Language::Cpp);
  EXPECT_NE(cpp.find("> Peer{1};"), std::string::npos) << cpp;
  EXPECT_NE(cpp.find("> peer{2};"), std::string::npos) << cpp;
}

}  // namespace
}  // namespace corokit::gen
