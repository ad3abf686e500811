// The reference scenarios of LIBMICROKIT.md §7, booted from their systems as real processes, in C
// (unchanged Microkit sources against microkit.h) and in C++ (the SDK). Exact order is asserted in
// the single-runner mode, per-PD order in the parallel mode.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

class Examples : public ::testing::TestWithParam<std::string> {};

std::vector<std::string> hierarchy_lines() {
  std::vector<std::string> want{"restarter: starting"};
  for (int i = 1; i <= 10; ++i) {
    want.push_back("crasher, starting");
    want.push_back("restarter: received fault message for child pd: 1");
    want.push_back(i < 10 ? "restarter: restarted" : "restarter: too many restarts - PD stopped");
  }
  want.push_back("hello, world");
  return want;
}

// The lines of `all` that `pred` selects, in order.
template <typename Pred>
std::vector<std::string> select(const std::vector<std::string>& all, Pred pred) {
  std::vector<std::string> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out), pred);
  return out;
}

TEST_P(Examples, Hello) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  Captured c = run_example("hello/hello.system", o, GetParam());
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c), ElementsAre("hello, world")) << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST_P(Examples, PassiveServerSingleRunner) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  Captured c = run_example("passive_server/passive_server.system", o, GetParam());
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c),
              ElementsAre("SERVER|INFO: init function running", "MON|INFO: PD 'server' is now passive!",
                          "CLIENT|INFO: init function running", "SERVER|INFO: running on clients scheduling context"))
      << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

TEST_P(Examples, PassiveServerParallel) {
  runtime::RunOptions o = test_options();
  o.until_idle = true;
  Captured c = run_example("passive_server/passive_server.system", o, GetParam());
  ASSERT_EQ(c.error, "");
  std::vector<std::string> lines = without_warnings(c);
  EXPECT_THAT(select(lines, [](const std::string& l) { return l.rfind("SERVER|", 0) == 0; }),
              ElementsAre("SERVER|INFO: init function running", "SERVER|INFO: running on clients scheduling context"))
      << c.output;
  EXPECT_THAT(select(lines, [](const std::string& l) { return l.rfind("CLIENT|", 0) == 0; }),
              ElementsAre("CLIENT|INFO: init function running"));
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "MON|INFO: PD 'server' is now passive!"), 1);
  EXPECT_EQ(lines.size(), 4u);
}

TEST_P(Examples, HierarchySingleRunner) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  Captured c = run_example("hierarchy/hierarchy.system", o, GetParam());
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c), ElementsAreArray(hierarchy_lines())) << c.output;
  EXPECT_EQ(c.result.exit_code, 0) << "child faults handled by the parent are not failures";
}

TEST_P(Examples, HierarchyParallel) {
  runtime::RunOptions o = test_options();
  o.until_idle = true;
  Captured c = run_example("hierarchy/hierarchy.system", o, GetParam());
  ASSERT_EQ(c.error, "");
  std::vector<std::string> lines = without_warnings(c);
  std::vector<std::string> want = hierarchy_lines();
  auto restarter = [](const std::string& l) { return l.rfind("restarter:", 0) == 0; };
  EXPECT_EQ(select(lines, restarter), select(want, restarter)) << c.output;
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "crasher, starting"), 10);
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "hello, world"), 1);
  EXPECT_EQ(lines.size(), want.size());
}

TEST_P(Examples, Setvar) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  Captured c = run_example("setvar/setvar.system", o, GetParam());
  ASSERT_EQ(c.error, "");
  std::vector<std::string> lines = without_warnings(c);
  ASSERT_EQ(lines.size(), 5u) << c.output;
  EXPECT_EQ(lines[0], "Virtual address of 'mr_with_paddr': 536870912");
  EXPECT_EQ(lines[1], "Physical address of 'mr_with_paddr': 2147483648");
  EXPECT_THAT(lines[2], ::testing::StartsWith("Physical address of 'small_mr_no_paddr': "));
  EXPECT_THAT(lines[3], ::testing::StartsWith("Physical address of 'large_mr_no_paddr': "));
  EXPECT_EQ(lines[4], "Physical address of 'pl011_paddr': 150994944");
  uint64_t small = std::stoull(lines[2].substr(lines[2].rfind(' ') + 1));
  uint64_t large = std::stoull(lines[3].substr(lines[3].rfind(' ') + 1));
  EXPECT_EQ(small % 0x1000, 0u);
  EXPECT_EQ(large % 0x200000, 0u);
  EXPECT_TRUE(small + 0x1000 <= large || large + 0x200000 <= small);
}

TEST_P(Examples, MrPrefill) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  Captured c = run_example("mr_prefill/mr_prefill.system", o, GetParam());
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c),
              ElementsAre("hello, world. my name is mr_prefill", "checking prefilled memory region data length",
                          "checking prefilled memory region data", "prefilled data OK!"))
      << c.output;
}

INSTANTIATE_TEST_SUITE_P(Languages, Examples, ::testing::Values("c", "cpp"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace corokit::testing
