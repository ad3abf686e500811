// The start-up check of generated bindings, booted for real: PDs compiled against
// stale/built.system run when packed with it, and stop before init() with a message naming each
// difference when packed with stale/packed.system (C++ and C headers alike).
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "system/image/ImagePacker.h"
#include "system/runtime/Monitor.h"
#include "system/sdf/Target.h"

namespace corokit {
namespace {

struct Boot {
  runtime::RunResult result;
  std::string output;
};

Boot boot(const std::string& system) {
  sdf::CheckOptions options;
  options.target = *sdf::builtin_profile("host", 0);
  options.search_paths = {COROKIT_GEN_PDS};
  image::PackOutcome packed = image::pack_sdf_file(std::string(COROKIT_GEN_STALE) + "/" + system, options);
  EXPECT_TRUE(packed.image.has_value()) << "packing " << system << " failed";
  Boot r;
  if (!packed.image) return r;
  runtime::RunOptions o;
  o.prefix = false;
  o.colour = runtime::RunOptions::Colour::Never;
  o.timeout_s = 20;
  o.sched = runtime::RunOptions::Sched::Other;
  o.single_runner = true;
  o.until_idle = true;
  int fd = memfd_create("gen-run", MFD_CLOEXEC);
  r.result = runtime::run_system(*packed.image, o, fd);
  off_t size = lseek(fd, 0, SEEK_END);
  r.output.resize(static_cast<size_t>(size));
  if (size > 0) (void)!pread(fd, r.output.data(), static_cast<size_t>(size), 0);
  close(fd);
  return r;
}

bool has(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

TEST(StartupCheck, MatchingBindingsRun) {
  Boot r = boot("built.system");
  EXPECT_EQ(r.result.exit_code, 0) << r.output;
  EXPECT_TRUE(has(r.output, "checked: init ran")) << r.output;
  EXPECT_TRUE(has(r.output, "checked_c: init ran")) << r.output;
  EXPECT_FALSE(has(r.output, "stale")) << r.output;
}

TEST(StartupCheck, StaleBindingsStopThePdBeforeInit) {
  Boot r = boot("packed.system");
  EXPECT_EQ(r.result.exit_code, 1) << r.output;
  EXPECT_TRUE(r.result.faulted);
  for (const std::string pd : {"checked", "checked_c"}) {
    std::string head = pd + ": stale generated bindings (PD '" + pd + "' from 'built.system'): ";
    EXPECT_TRUE(has(r.output, head + "microkit_notifications is 0x10, the header expects 0x8")) << r.output;
    EXPECT_TRUE(has(r.output, head + "setvar 'buf' is 0x2100000, the header expects 0x2000000")) << r.output;
    EXPECT_TRUE(has(r.output, pd + ": regenerate the bindings (corokit gen), rebuild the PD and pack the system again"))
        << r.output;
    EXPECT_FALSE(has(r.output, pd + ": init ran")) << r.output;
  }
}

}  // namespace
}  // namespace corokit
