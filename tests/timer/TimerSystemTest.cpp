// Systems booted for real (one process per PD, `corokit run`'s monitor): the timer driver PD with
// several clients at once — coroutine clients (sleeps of many lengths, timeouts that fire and that
// do not, cancellation, an interval, the clock page against GET_TIME), sDDF-style C clients, a
// hostile client — and the two timer examples. Ordering is asserted exactly; lateness only against
// bounds loose enough for a shared machine.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "system/image/ImagePacker.h"
#include "system/runtime/Monitor.h"
#include "system/runtime/RunOptions.h"
#include "system/sdf/Target.h"

namespace corokit {
namespace {

constexpr std::uint64_t kLateBoundNs = 500'000'000;  // a shared, loaded 2-vCPU machine

struct Booted {
  runtime::RunResult result;
  std::vector<std::string> lines;
  std::string output;
  std::string error;
};

runtime::RunOptions options() {
  runtime::RunOptions o;
  o.prefix = false;
  o.colour = runtime::RunOptions::Colour::Never;
  o.sched = runtime::RunOptions::Sched::Other;
  o.until_idle = true;
  o.timeout_s = 60;
  return o;
}

Booted boot(const std::string& sdf, const std::string& file, const std::vector<std::string>& search,
         const runtime::RunOptions& o = options()) {
  Booted run;
  sdf::CheckOptions check;
  check.target = *sdf::builtin_profile("host", 2);
  check.search_paths = search;
  image::PackOutcome packed = file.empty() ? image::pack_sdf_text(sdf, "test.system", check) : image::pack_sdf_file(file, check);
  if (!packed.image) {
    for (const diag::Diagnostic& d : packed.loaded.diagnostics.all()) run.error += d.code + " " + d.message + "\n";
    if (run.error.empty()) run.error = "packing failed";
    return run;
  }
  int fd = memfd_create("timer-run", MFD_CLOEXEC);
  run.result = runtime::run_system(*packed.image, o, fd);
  off_t size = lseek(fd, 0, SEEK_END);
  run.output.resize(static_cast<std::size_t>(size));
  if (size > 0) (void)!pread(fd, run.output.data(), static_cast<std::size_t>(size), 0);
  close(fd);
  std::istringstream in(run.output);
  for (std::string line; std::getline(in, line);) run.lines.push_back(line);
  return run;
}

std::vector<std::string> lines_starting(const Booted& run, const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& l : run.lines) {
    if (l.rfind(prefix, 0) == 0) out.push_back(l.substr(prefix.size()));
  }
  return out;
}

std::string clients_system(const std::vector<std::string>& async_clients, const std::vector<std::string>& sddf_clients,
                           bool hostile) {
  std::ostringstream x;
  x << "<system>\n"
       "  <memory_region name=\"timer_regs\" size=\"0x1000\" phys_addr=\"0x9010000\" />\n"
       "  <memory_region name=\"clock_page\" size=\"0x1000\" />\n"
       "  <protection_domain name=\"timer\" priority=\"254\" passive=\"true\">\n"
       "    <program_image path=\"timer_driver.elf\" />\n"
       "    <map mr=\"timer_regs\" vaddr=\"0x2000000\" perms=\"r\" cached=\"false\" setvar_vaddr=\"timer_regs\" />\n"
       "    <irq irq=\"34\" id=\"0\" />\n"
       "  </protection_domain>\n";
  std::vector<std::string> all;
  auto pd = [&](const std::string& name, const std::string& elf, bool clock) {
    x << "  <protection_domain name=\"" << name << "\" priority=\"100\">\n"
      << "    <program_image path=\"" << elf << "\" />\n";
    if (clock) x << "    <map mr=\"clock_page\" vaddr=\"0x3000000\" perms=\"r\" setvar_vaddr=\"clock_page\" />\n";
    x << "  </protection_domain>\n";
    all.push_back(name);
  };
  for (const std::string& n : async_clients) pd(n, "timer_client.elf", true);
  for (const std::string& n : sddf_clients) pd(n, "sddf_client.elf", false);
  if (hostile) pd("hostile", "hostile.elf", false);
  for (std::size_t i = 0; i < all.size(); ++i) {
    x << "  <channel><end pd=\"" << all[i] << "\" id=\"0\" pp=\"true\" /><end pd=\"timer\" id=\"" << i + 1
      << "\" /></channel>\n";
  }
  x << "</system>\n";
  return x.str();
}

const std::vector<std::string> kSearch = {COROKIT_TIMER_DRIVER_DIR, COROKIT_TIMER_TEST_PDS};

// One coroutine client's results, from its "<name>|INFO: " lines.
void check_async_client(const Booted& run, const std::string& name) {
  SCOPED_TRACE(name);
  std::vector<std::string> lines = lines_starting(run, name + "|INFO: ");
  ASSERT_FALSE(lines.empty()) << run.output;
  std::vector<std::uint64_t> lengths;
  std::vector<std::uint64_t> orders;
  bool saw_sleep_for = false;
  std::regex sleep_line(R"(sleep (\d+) order (\d+) late_ns (\d+))");
  std::regex sleep_for_line(R"(sleep_for (\d+) order 0 late_ns (\d+))");
  for (const std::string& l : lines) {
    EXPECT_EQ(l.find("EARLY"), std::string::npos) << l;
    EXPECT_EQ(l.find("WRONG"), std::string::npos) << l;
    std::smatch m;
    if (std::regex_match(l, m, sleep_line)) {
      lengths.push_back(std::stoull(m[1]));
      orders.push_back(std::stoull(m[2]));
      EXPECT_LT(std::stoull(m[3]), kLateBoundNs) << l;
    } else if (std::regex_match(l, m, sleep_for_line)) {
      saw_sleep_for = true;
      EXPECT_LT(std::stoull(m[2]), kLateBoundNs) << l;
    }
  }
  // Ten sleeps from one base instant woke in deadline order.
  ASSERT_EQ(lengths.size(), 10u) << run.output;
  EXPECT_TRUE(std::is_sorted(lengths.begin(), lengths.end())) << run.output;
  for (std::size_t i = 0; i < orders.size(); ++i) EXPECT_EQ(orders[i], i + 1);
  EXPECT_TRUE(saw_sleep_for);
  auto has = [&](const std::string& prefix) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
  };
  EXPECT_TRUE(has("timeout fired after_ns ")) << run.output;
  EXPECT_TRUE(has("timeout kept value 5 after_ns ")) << run.output;
  EXPECT_TRUE(has("cancel ok")) << run.output;
  EXPECT_TRUE(has("interval ticks 20 grid ok")) << run.output;
  EXPECT_TRUE(has("clock page in use, agrees with GET_TIME")) << run.output;
  EXPECT_TRUE(has("stats ")) << run.output;
  for (const std::string& l : lines) {
    if (l.rfind("stats ", 0) != 0) continue;
    EXPECT_NE(l.find(" refused 0 "), std::string::npos) << l;
    EXPECT_NE(l.find(" other_ppcalls 0"), std::string::npos) << l;  // now() made no PPC
  }
  EXPECT_EQ(lines.back(), "done");
}

TEST(TimerSystem, SeveralClientsOfOneDriver) {
  Booted run = boot(clients_system({"alpha", "beta", "gamma"}, {"sddf_a", "sddf_b"}, true), "", kSearch);
  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.result.exit_code, 0) << run.output;
  EXPECT_EQ(run.output.find("MON|ERROR"), std::string::npos) << run.output;
  for (const char* name : {"alpha", "beta", "gamma"}) check_async_client(run, name);
  EXPECT_THAT(run.lines, ::testing::Contains("sddf_a: ok")) << run.output;
  EXPECT_THAT(run.lines, ::testing::Contains("sddf_b: ok")) << run.output;
  // The hostile client's bad requests were refused, and it is still served correctly.
  std::vector<std::string> hostile = lines_starting(run, "hostile: ");
  ASSERT_GE(hostile.size(), 3u) << run.output;
  EXPECT_EQ(hostile[0].rfind("unknown label -> 1, short count -> 1, overflow -> 1, flood refused ", 0), 0u) << hostile[0];
  EXPECT_EQ(hostile[1], "timeout accepted -> 0");
  EXPECT_EQ(hostile[2], "served on time");
  EXPECT_THAT(run.lines, ::testing::Contains("timer|WARN: client on channel 6: unknown label 77 (answered TIMER_ERR)"));
}

// The host's channel ids are 0..61 and the driver needs one for its IRQ: 61 clients is the most a
// strict-mode system can have; each has its own deadline.
TEST(TimerSystem, SixtyOneClients) {
  std::vector<std::string> names;
  for (int i = 0; i < 61; ++i) names.push_back("sddf_" + std::string(i < 10 ? "0" : "") + std::to_string(i));
  Booted run = boot(clients_system({}, names, false), "", kSearch);
  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.result.exit_code, 0) << run.output;
  for (const std::string& n : names) EXPECT_THAT(run.lines, ::testing::Contains(n + ": ok")) << run.output;
}

TEST(TimerSystem, AClockPageMappedWritableByAClientIsRefused) {
  std::string sdf = clients_system({"alpha"}, {}, false);
  sdf.replace(sdf.find("perms=\"r\" setvar_vaddr=\"clock_page\""), 9, "perms=\"rw\"");
  Booted run = boot(sdf, "", kSearch);
  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.result.exit_code, 2);
  EXPECT_NE(run.output.find("PD 'alpha' maps the clock page 'clock_page' writable"), std::string::npos) << run.output;
}

TEST(TimerExamples, Clock) {
  runtime::RunOptions o = options();
  o.until_idle = false;
  o.until = "tick 3 ";
  Booted run = boot("", COROKIT_SOURCE_DIR "/examples/clock/clock.system", {COROKIT_TIMER_DRIVER_DIR, COROKIT_EXAMPLES_BIN "/cpp"}, o);
  ASSERT_EQ(run.error, "");
  EXPECT_EQ(run.result.exit_code, 0) << run.output;
  std::vector<std::string> lines = lines_starting(run, "clock|INFO: ");
  ASSERT_GE(lines.size(), 4u) << run.output;
  EXPECT_EQ(lines[0].rfind("started at ", 0), 0u);
  std::regex tick(R"(tick (\d) at (\d+)\.(\d{9}) s, (\d+) us late.*)");
  for (int n = 1; n <= 3; ++n) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[static_cast<std::size_t>(n)], m, tick)) << lines[static_cast<std::size_t>(n)];
    EXPECT_EQ(std::stoi(m[1]), n);
    EXPECT_GE(std::stoull(m[2]), static_cast<unsigned long long>(n));  // never early: tick n is due at n s
    EXPECT_LT(std::stoull(m[4]), kLateBoundNs / 1000);
  }
}

TEST(TimerExamples, MicrokitTimerOnTheRawDevice) {
  runtime::RunOptions o = options();
  o.until_idle = false;
  o.timeout_s = 3.5;
  Booted run = boot("", COROKIT_SOURCE_DIR "/examples/timer/timer.system", {COROKIT_EXAMPLES_BIN "/c"}, o);
  ASSERT_EQ(run.error, "");
  std::vector<std::string> lines;
  for (const std::string& l : run.lines) {
    if (l.rfind("MON|", 0) != 0) lines.push_back(l);
  }
  ASSERT_GE(lines.size(), 5u) << run.output;
  EXPECT_EQ(lines[0], "Setting a timeout of 1 second.");
  std::uint64_t previous = 0;
  std::regex time_line(R"(Current time is: 0x([0-9a-f]{16}))");
  for (std::size_t i = 1; i + 1 < lines.size(); i += 2) {
    EXPECT_EQ(lines[i], "Got timer interrupt!");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[i + 1], m, time_line)) << lines[i + 1];
    const std::uint64_t t = std::stoull(m[1], nullptr, 16);
    // Interrupt k is due k seconds after init(), which runs after the system started: never early,
    // and a late one does not move the grid (a periodic timerfd), so no bound on the spacing.
    const std::uint64_t due = (i / 2 + 1) * 1'000'000'000ull;
    EXPECT_GE(t, due) << "interrupt " << i / 2 + 1 << " early";
    EXPECT_GT(t, previous);
    EXPECT_LT(t, due + 2 * kLateBoundNs);  // since the system started: start-up, then lateness
    previous = t;
  }
}

}  // namespace
}  // namespace corokit
