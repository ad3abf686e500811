// `corokit run --stats PATH` (docs/runtime.md, "Counters"): a snapshot on every SIGUSR1 and one at
// the end, each replacing the file whole; the option's parsing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "system/image/ImageFile.h"
#include "system/runtime/RunOptions.h"
#include "tests/runtime/TestImage.h"
#include "tests/support/RunningSystem.h"

namespace corokit::testing {
namespace {

using nlohmann::json;

// The file once its snapshot number reaches `sequence` (the monitor renames a complete file into
// place, so every read parses).
json wait_for_snapshot(const std::string& path, uint64_t sequence) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::ifstream in(path);
    json doc = json::parse(in, nullptr, false);
    if (!doc.is_discarded() && doc["snapshot"].get<uint64_t>() >= sequence) return doc;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return json();
}

bool wait_for_lines(const RunningSystem& run, const std::string& line, size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string out = run.output();
    size_t seen = 0;
    for (size_t at = out.find(line); at != std::string::npos; at = out.find(line, at + 1)) ++seen;
    if (seen >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

std::string write_image(const std::string& system, const std::string& path) {
  Result<image::SystemImage> img = make_test_image(std::string(COROKIT_SOURCE_DIR) + "/tests/runtime/systems/" + system, {COROKIT_TEST_PDS});
  if (!img) return img.error();
  std::vector<uint8_t> bytes = image::encode_image(*img).bytes();
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return "";
}

TEST(Stats, SigusrWritesASnapshotAndTheEndTheFinalOne) {
  const std::string stem = ::testing::TempDir() + "corokit-stats-" + std::to_string(getpid());
  const std::string img = stem + ".img", stats = stem + ".json";
  ASSERT_EQ(write_image("ticker.system", img), "");
  {
    // The ticker acknowledges its first two ticks (and the start-up ack): three IRQs, three acks.
    RunningSystem run(COROKIT_BIN, img, {"--stats", stats});
    ASSERT_TRUE(run.wait_for({"ticker: armed"})) << run.output();
    kill(run.pid(), SIGUSR1);
    json first = wait_for_snapshot(stats, 1);
    ASSERT_FALSE(first.is_null()) << run.output();
    EXPECT_EQ(first["snapshot"], 1);
    EXPECT_EQ(first["final"], false);
    ASSERT_EQ(first["pds"].size(), 1u);
    EXPECT_EQ(first["pds"][0]["name"], "ticker");
    EXPECT_LE(first["pds"][0]["irqs_delivered"], 3u);

    ASSERT_TRUE(wait_for_lines(run, "ticker: tick on channel 3", 3)) << run.output();
    kill(run.pid(), SIGUSR1);
    json second = wait_for_snapshot(stats, 2);
    ASSERT_FALSE(second.is_null()) << run.output();
    EXPECT_EQ(second["snapshot"], 2);
    EXPECT_EQ(second["final"], false);
    EXPECT_EQ(second["pds"][0]["irqs_delivered"], 3u);
    EXPECT_EQ(second["pds"][0]["irqs_acked"], 3u);
    EXPECT_EQ(second["pds"][0]["notified_by_channel"]["3"], 3u);
    EXPECT_EQ(second["monitor"]["irqs_raised"], 3u);
    EXPECT_GE(second["time_ms"].get<double>(), first["time_ms"].get<double>());

    kill(run.pid(), SIGTERM);  // the run ends: the final snapshot
    json last = wait_for_snapshot(stats, 3);
    ASSERT_FALSE(last.is_null()) << run.output();
    EXPECT_EQ(last["final"], true);
    EXPECT_EQ(last["pds"][0]["irqs_delivered"], 3u);
    EXPECT_EQ(run.output().find("MON|WARN: --stats"), std::string::npos) << run.output();
  }
  // No temporary file is left next to it.
  const std::string prefix = std::filesystem::path(stats).filename().string() + ".tmp.";
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::path(stats).parent_path())) {
    EXPECT_NE(entry.path().filename().string().rfind(prefix, 0), 0u) << entry.path();
  }
  unlink(stats.c_str());
  unlink(img.c_str());
}

TEST(Stats, OptionTakesAPath) {
  auto parse = [](const std::vector<std::string>& args) {
    std::string image;
    return runtime::parse_run_options(args, &image);
  };
  Result<runtime::RunOptions> o = parse({"sys.img", "--stats", "out.json"});
  ASSERT_TRUE(o) << o.error();
  EXPECT_EQ(o->stats_path, "out.json");
  Result<runtime::RunOptions> eq = parse({"sys.img", "--stats=s.json"});
  ASSERT_TRUE(eq) << eq.error();
  EXPECT_EQ(eq->stats_path, "s.json");
  EXPECT_FALSE(parse({"sys.img", "--stats"}));
  EXPECT_FALSE(parse({"sys.img", "--stats="}));
  EXPECT_EQ(parse({"sys.img"})->stats_path, "");
}

}  // namespace
}  // namespace corokit::testing
