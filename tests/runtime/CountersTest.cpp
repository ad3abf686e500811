// The runtime's counters (sdk/PdCounters.h, docs/runtime.md "Counters"): futex system calls are
// counted where they are made, and a known scenario (systems/counters.system, pds/tally.cpp) comes
// out of `--stats` with exact counts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "sdk/host/Ipc.h"
#include "tests/runtime/RunHarness.h"

namespace corokit::testing {
namespace {

using nlohmann::json;

struct Counted {
  uint64_t wakes, waits;
};
Counted futex_counts() {
  const counters::PdCounters& c = counters::current();
  return {c.futex_wakes.load(), c.futex_waits.load()};
}

TEST(RuntimeCounters, EveryFutexSystemCallIsCountedAndNothingElse) {
  std::atomic<uint32_t> word{0};
  const Counted before = futex_counts();
  EXPECT_EQ(host::futex_wake(&word), 0);      // nobody waits: still a system call
  EXPECT_NE(host::futex_wait(&word, 1), 0);   // the word is not 1: returns at once (EAGAIN)
  host::WaitVector v{1, reinterpret_cast<uint64_t>(&word), host::kFutex2Size32, 0};
  EXPECT_NE(host::futex_waitv(&v, 1), 0);     // likewise
  EXPECT_GT(host::sys::call(host::sys::kGetpid), 0);
  const Counted after = futex_counts();
  EXPECT_EQ(after.wakes - before.wakes, 1u);
  EXPECT_EQ(after.waits - before.waits, 2u);
}

TEST(RuntimeCounters, CopiesCountOnceWithTheirBytes) {
  const uint64_t copies = counters::current().copies.load(), bytes = counters::current().copied_bytes.load();
  counters::copied(1514);
  counters::copied(0);
  EXPECT_EQ(counters::current().copies.load() - copies, 2u);
  EXPECT_EQ(counters::current().copied_bytes.load() - bytes, 1514u);
}

struct Stats {
  Captured run;
  json doc;
  const json& pd(const std::string& name) const {
    for (const json& p : doc["pds"]) {
      if (p["name"] == name) return p;
    }
    static const json none;
    ADD_FAILURE() << "no PD " << name << " in " << doc.dump();
    return none;
  }
};

Stats run_with_stats(const std::string& system, runtime::RunOptions o) {
  o.stats_path = ::testing::TempDir() + "corokit-counters-" + std::to_string(getpid()) + ".json";
  Stats s;
  s.run = run_test_system(system, o);
  std::ifstream in(o.stats_path);
  s.doc = json::parse(in, nullptr, false);
  unlink(o.stats_path.c_str());
  return s;
}

Stats run_counters_system(bool single_runner) {
  runtime::RunOptions o = test_options();
  o.single_runner = single_runner;
  o.until_idle = true;
  o.spin_ns = 0;  // a PD with nothing to do sleeps at once
  return run_with_stats("counters.system", o);
}

uint64_t channel(const json& pd, const char* field, const char* ch) {
  return pd[field].contains(ch) ? pd[field][ch].get<uint64_t>() : 0;
}

// What the scenario fixes whatever the scheduling: the raises, calls, IRQs and copies.
void expect_scenario(const Stats& s) {
  ASSERT_EQ(s.run.error, "");
  ASSERT_EQ(s.run.result.exit_code, 0) << s.run.output;
  ASSERT_FALSE(s.doc.is_discarded()) << "no stats file";
  EXPECT_EQ(s.doc["final"], true);
  EXPECT_EQ(s.doc["snapshot"], 1);
  ASSERT_EQ(s.doc["pds"].size(), 3u);
  const json& tally = s.pd("tally");
  const json& echoer = s.pd("echoer");
  const json& server = s.pd("server");
  // 3 notifies, 1 deferred (asked twice), then one per echo until the 5th: 8 raises on channel 1.
  EXPECT_EQ(channel(tally, "notifications_by_channel", "1"), 8u);
  EXPECT_EQ(tally["notifications"], 8u);
  EXPECT_EQ(tally["calls_made"], 2u);
  EXPECT_EQ(server["calls_served"], 2u);
  EXPECT_EQ(server["calls_made"], 0u);
  EXPECT_EQ(tally["calls_served"], 0u);
  EXPECT_EQ(tally["irqs_delivered"], 1u);
  EXPECT_EQ(channel(tally, "notified_by_channel", "3"), 1u);
  EXPECT_EQ(tally["irqs_acked"], 2u);  // the start-up ack and the tick's
  EXPECT_EQ(tally["copies"], 2u);
  EXPECT_EQ(tally["copied_bytes"], 2000u);
  EXPECT_EQ(echoer["copies"], 0u);
  // The echoer answers each notified() once.
  EXPECT_EQ(channel(echoer, "notified_by_channel", "4"), channel(echoer, "notifications_by_channel", "4"));
  EXPECT_LE(channel(echoer, "notified_by_channel", "4"), 8u);
  EXPECT_GE(channel(tally, "notified_by_channel", "1"), 5u);
  EXPECT_LE(channel(tally, "notified_by_channel", "1"), channel(echoer, "notifications_by_channel", "4"));
  EXPECT_EQ(s.doc["monitor"]["irqs_raised"], 1u);
  const json& total = s.doc["total"];
  EXPECT_EQ(total["notifications"], tally["notifications"].get<uint64_t>() + echoer["notifications"].get<uint64_t>());
  EXPECT_EQ(total["calls_made"], 2u);
  EXPECT_EQ(total["copied_bytes"], 2000u);
}

TEST(RuntimeCounters, KnownScenarioCountsExactlyInSingleRunnerMode) {
  Stats s = run_counters_system(true);
  expect_scenario(s);
  if (HasFatalFailure()) return;
  const json& tally = s.pd("tally");
  const json& echoer = s.pd("echoer");
  // The echoer runs only once tally waits: tally's four raises of init() meet one pending bit.
  EXPECT_EQ(channel(echoer, "notified_by_channel", "4"), 5u);
  EXPECT_EQ(channel(echoer, "notifications_by_channel", "4"), 5u);
  EXPECT_EQ(channel(tally, "notified_by_channel", "1"), 5u);
  EXPECT_EQ(tally["notified"], 6u);  // 5 echoes and the tick
  EXPECT_EQ(echoer["notified"], 5u);
  EXPECT_EQ(s.doc["total"]["notified"], 11u);
  // One PD runs at a time and hands over through the monitor: no PD ever wakes another, the
  // monitor wakes each PD it lets run (at least once each).
  for (const json& pd : s.doc["pds"]) EXPECT_EQ(pd["futex_wakes"], 0u) << pd["name"];
  EXPECT_GE(s.doc["monitor"]["futex_wakes"], 3u);
  EXPECT_GE(s.doc["total"]["futex_waits"], 1u);
}

TEST(RuntimeCounters, KnownScenarioInParallelModeWakesOnlyWhatItRaised) {
  Stats s = run_counters_system(false);
  expect_scenario(s);
  if (HasFatalFailure()) return;
  const json& tally = s.pd("tally");
  const json& echoer = s.pd("echoer");
  const json& server = s.pd("server");
  // Without spinning, every PD sleeps once it has nothing to do (the run ends when all do).
  for (const json& pd : s.doc["pds"]) EXPECT_GE(pd["futex_waits"], 1u) << pd["name"];
  // A FUTEX_WAKE only where a notification was raised, a call made or a reply sent.
  EXPECT_LE(tally["futex_wakes"], tally["notifications"].get<uint64_t>() + tally["calls_made"].get<uint64_t>());
  EXPECT_LE(echoer["futex_wakes"], echoer["notifications"]);
  EXPECT_LE(server["futex_wakes"], server["calls_served"]);
  EXPECT_LE(s.doc["monitor"]["futex_wakes"], s.doc["monitor"]["irqs_raised"]);
}

// The server crashes serving the first call and is restarted to serve the second: its counters
// go on across its two processes.
TEST(RuntimeCounters, CountersCarryOverARestart) {
  runtime::RunOptions o = test_options();
  o.single_runner = true;
  o.until_idle = true;
  o.ppc_fail_fast = true;
  o.root_restarts = 1;
  Stats s = run_with_stats("ppc_crash.system", o);
  ASSERT_FALSE(s.doc.is_discarded()) << s.run.output;
  EXPECT_EQ(s.pd("server")["restarts"], 1u);
  EXPECT_EQ(s.pd("server")["calls_served"], 2u);
  EXPECT_EQ(s.pd("crash_caller")["restarts"], 0u);
  EXPECT_EQ(s.pd("crash_caller")["calls_made"], 2u);
}

}  // namespace
}  // namespace corokit::testing
