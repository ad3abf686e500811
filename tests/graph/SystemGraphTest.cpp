#include "system/graph/SystemGraph.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "system/sdf/SystemLoader.h"
#include "system/sdf/Target.h"

namespace corokit::graph {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The golden file is regenerated with: corokit graph tests/graph/golden/system.xml
//   -o tests/graph/golden/system.dot   (review the diff before committing it)
TEST(SystemGraph, MatchesTheGoldenDot) {
  sdf::CheckOptions options;
  options.target = *sdf::builtin_profile("host", 1);
  sdf::LoadedSystem loaded = sdf::load_system_file(COROKIT_GRAPH_GOLDEN "/system.xml", options);
  ASSERT_FALSE(loaded.diagnostics.has_errors());
  std::string dot = system_dot(loaded.system);
  EXPECT_EQ(dot, read_text(COROKIT_GRAPH_GOLDEN "/system.dot"));
  EXPECT_EQ(system_dot(loaded.system), dot) << "deterministic";
}

TEST(SystemGraph, QuotesNamesSafely) {
  sdf::System s;
  sdf::ProtectionDomain pd;
  pd.name = "odd\"name\\x";
  s.pds.push_back(pd);
  std::string dot = system_dot(s);
  EXPECT_NE(dot.find("\"pd:odd\\\"name\\\\x\""), std::string::npos) << dot;
}

}  // namespace
}  // namespace corokit::graph
