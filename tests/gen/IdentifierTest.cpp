// Identifiers derived from SDF names: valid, never reserved, unique within a scope, deterministic.
#include "system/gen/Identifier.h"

#include <gtest/gtest.h>

#include <regex>

namespace corokit::gen {
namespace {

TEST(Identifier, KeepsValidNames) {
  EXPECT_EQ(identifier("server"), "server");
  EXPECT_EQ(identifier("rx_queue2"), "rx_queue2");
  EXPECT_EQ(identifier("Camel"), "Camel");
}

TEST(Identifier, ReplacesInvalidCharactersAndCollapsesUnderscores) {
  EXPECT_EQ(identifier("driver-1"), "driver_1");
  EXPECT_EQ(identifier("config.ro"), "config_ro");
  EXPECT_EQ(identifier("a--b"), "a_b") << "a double underscore is reserved";
  EXPECT_EQ(identifier("a__b"), "a_b");
  EXPECT_EQ(identifier("caf\xc3\xa9"), "caf_");
  EXPECT_EQ(identifier("-"), "_");
}

TEST(Identifier, PrefixesLeadingDigitsAndReservedUnderscores) {
  EXPECT_EQ(identifier("2fast"), "_2fast");
  EXPECT_EQ(identifier("0"), "_0");
  EXPECT_EQ(identifier("_Timer"), "x_Timer");
  EXPECT_EQ(identifier("_timer"), "_timer");
}

TEST(Identifier, AvoidsKeywordsAndLibcMacros) {
  for (const char* word : {"class", "int", "and", "co_await", "requires", "errno", "stdin", "NULL", "_Bool"}) {
    std::string id = identifier(word);
    EXPECT_NE(id, word);
    EXPECT_FALSE(is_reserved(id)) << id;
  }
  EXPECT_EQ(identifier("class"), "class_");
}

TEST(Identifier, MacroParts) {
  EXPECT_EQ(macro_part("rx-queue"), "RX_QUEUE");
  EXPECT_EQ(macro_part("_x_"), "X") << "the prefix and suffixes bring their own '_'";
  EXPECT_EQ(macro_part("9lives"), "9LIVES");
  EXPECT_EQ(macro_part("class_"), "CLASS");
  EXPECT_EQ(macro_part("--"), "X");
  EXPECT_EQ(c_prefix("client"), "CLIENT");
  EXPECT_EQ(c_prefix("2fast"), "PD_2FAST");
  EXPECT_EQ(c_prefix("_null"), "NULL");
}

TEST(Identifier, AlwaysValid) {
  const std::regex valid("[A-Za-z_][A-Za-z0-9_]*");
  for (const char* name : {"", " ", "__", "1", "a b c", "\xff\xfe", "::", "_", "x__", "__init"}) {
    std::string id = identifier(name);
    EXPECT_TRUE(std::regex_match(id, valid)) << "'" << name << "' -> '" << id << "'";
    EXPECT_EQ(id.find("__"), std::string::npos) << id;
    std::string part = macro_part(name);
    EXPECT_TRUE(std::regex_match(part, std::regex("[A-Z0-9]([A-Z0-9_]*[A-Z0-9])?"))) << part;
    EXPECT_EQ(part.find("__"), std::string::npos) << part;
    std::string prefix = c_prefix(name);
    EXPECT_TRUE(std::regex_match(prefix, valid)) << prefix;
    EXPECT_NE(prefix[0], '_') << prefix;
  }
}

TEST(NameScope, KeepsUniqueNames) {
  NameScope s;
  s.add("server", "0");
  s.add("client", "1");
  EXPECT_EQ(s.resolve(), (std::vector<std::string>{"server", "client"}));
}

TEST(NameScope, DisambiguatesEveryDuplicateByTag) {
  NameScope s;
  s.add("server", "0");
  s.add("client", "1");
  s.add("server", "4");
  EXPECT_EQ(s.resolve(), (std::vector<std::string>{"server_0", "client", "server_4"}));
}

TEST(NameScope, ResolvesSecondOrderClashesInOrder) {
  NameScope s;
  s.add("a", "1");
  s.add("a", "2");
  s.add("a_1", "9");
  s.add("class_", "3");
  s.add("class_", "4");
  EXPECT_EQ(s.resolve(), (std::vector<std::string>{"a_1", "a_2", "a_1_2", "class_3", "class_4"}));
}

}  // namespace
}  // namespace corokit::gen
