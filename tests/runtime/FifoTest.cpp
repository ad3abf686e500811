// First come, first served among callers of one priority (LIBMICROKIT.md: calls are served by the
// caller's priority, in arrival order within a priority): three callers of equal priority call one
// server, in a known order, while the server is still in init(); once it is ready it must answer
// them in that order. Their channel ids at the server are in the reverse order, so a server that
// did not know when each call arrived (no arrival tick: BootChannel::stamp_calls) would answer the
// last caller first.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> lines_of(const Captured& c, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& l : c.lines) {
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  }
  return out;
}

class PpcFifo : public ::testing::TestWithParam<const char*> {};  // the system file

TEST_P(PpcFifo, EqualPriorityCallersAreServedInArrivalOrder) {
  runtime::RunOptions o = test_options();
  o.until_idle = true;
  Captured c = run_test_system(GetParam(), o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(lines_of(c, "fifo_server:"),
              ElementsAre("fifo_server: serves first", "fifo_server: serves second", "fifo_server: serves third"))
      << c.output;
  EXPECT_THAT(lines_of(c, "first:"), ElementsAre("first: answered as number 1")) << c.output;
  EXPECT_THAT(lines_of(c, "second:"), ElementsAre("second: answered as number 2")) << c.output;
  EXPECT_THAT(lines_of(c, "third:"), ElementsAre("third: answered as number 3")) << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Server, PpcFifo, ::testing::Values("fifo_active.system", "fifo_passive.system"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param).find("passive") != std::string::npos ? "Passive" : "Active";
                         });

}  // namespace
}  // namespace corokit::testing
