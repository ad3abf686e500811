// The reference scenarios of LIBMICROKIT.md §7, booted from their systems as real processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using ::testing::ElementsAre;

TEST(Examples, HelloPrintsFromInit) {
  runtime::RunOptions o = test_options();
  o.until = "hello, world";
  Captured c = run_example("hello/hello.system", o);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c), ElementsAre("hello, world")) << c.output;
  EXPECT_EQ(c.result.exit_code, 0);
}

}  // namespace
}  // namespace corokit::testing
