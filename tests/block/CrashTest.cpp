// The durability promise end to end (PROTOCOLS.md §3.3): a client writes and flushes while the
// whole `corokit run` (monitor and every PD) is killed with SIGKILL at a random moment; afterwards
// every write acknowledged before a completed FLUSH is on the disk image, in the client's partition,
// and nothing outside the partition changed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "system/runtime/DiskBackend.h"
#include "tests/block/DiskImages.h"
#include "tests/block/pds/BlockRecord.h"

namespace corokit::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Every process below `pid`, deepest first.
void descendants(pid_t pid, std::vector<pid_t>& out) {
  std::ifstream children("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  for (pid_t child; children >> child;) {
    descendants(child, out);
    out.push_back(child);
  }
}

bool alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

struct Outcome {
  uint64_t durable = 0;  // from the last "durable N" line
  uint64_t blocks = 0;
  size_t durable_lines = 0;
  std::string output;
};

// Runs `corokit run IMAGE --disk DISK`, kills everything `kill_after` after the first durable line.
Outcome run_and_kill(const std::string& image, const std::string& disk, std::chrono::milliseconds kill_after) {
  Outcome out;
  int pipe_fds[2];
  EXPECT_EQ(pipe2(pipe_fds, O_CLOEXEC), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(pipe_fds[1], 1);
    dup2(pipe_fds[1], 2);
    execl(COROKIT_EXE, "corokit", "run", image.c_str(), "--disk", disk.c_str(), "--no-prefix", "--colour=never",
          "--timeout", "60", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(pipe_fds[1]);
  fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
  std::string pending;
  const auto give_up = Clock::now() + std::chrono::seconds(30);
  Clock::time_point kill_at = Clock::time_point::max();
  auto drain = [&] {
    char buf[4096];
    for (ssize_t n; (n = read(pipe_fds[0], buf, sizeof buf)) > 0;) pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      const std::string line = pending.substr(0, nl);
      out.output += line + "\n";
      if (line.rfind("durable ", 0) == 0 || line.find("|INFO: durable ") != std::string::npos) {
        out.durable = std::stoull(line.substr(line.rfind(' ') + 1));
        if (out.durable_lines++ == 0) kill_at = Clock::now() + kill_after;
      }
      const size_t at = line.find("crash: ");
      if (at != std::string::npos && line.find(" blocks") != std::string::npos) out.blocks = std::stoull(line.substr(at + 7));
    }
  };
  while (Clock::now() < kill_at && Clock::now() < give_up) {
    pollfd p{pipe_fds[0], POLLIN, 0};
    poll(&p, 1, 5);
    drain();
    if (!alive(pid)) break;
  }
  // The whole run at once: every PD and the monitor.
  std::vector<pid_t> all;
  descendants(pid, all);
  all.push_back(pid);
  for (pid_t p : all) kill(p, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  for (pid_t p : all) {
    for (int i = 0; i < 500 && alive(p); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  drain();  // lines already written before the kill
  close(pipe_fds[0]);
  return out;
}

constexpr uint64_t kFirstBlock = 256;       // the partition's first 4096-byte block on the image
constexpr uint64_t kPartitionBlocks = 1536;  // 6 MiB

TEST(BlockCrash, EveryWriteAcknowledgedBeforeACompletedFlushSurvivesSigkill) {
  const std::string why = runtime::io_uring_unavailable_reason();
  if (!why.empty()) GTEST_SKIP() << why;
  if (!have_tool("sgdisk")) GTEST_SKIP() << "sgdisk missing (scripts/setup installs gdisk)";
  const std::string dir = temp_dir();
  const std::string image = dir + "/crash.img";
  ASSERT_EQ(sh(std::string(COROKIT_EXE) + " pack " + COROKIT_SOURCE_DIR + "/tests/block/systems/crash.system -o " +
               image + " --search-path " + COROKIT_BLOCK_PDS + " " + COROKIT_BLOCK_TEST_PDS + " >/dev/null"),
            0);
  std::mt19937 rng(static_cast<unsigned>(std::random_device{}()));
  for (int round = 0; round < 4; ++round) {
    // 8 MiB, GPT made by sgdisk: partition 1 (the client's) from sector 2048 (block 256), 6 MiB.
    const std::string disk = dir + "/crash-disk.img";
    ASSERT_EQ(sh("rm -f " + disk + " && dd if=/dev/zero of=" + disk + " bs=1M count=8 status=none && sgdisk -n 1:2048:+6M " +
                 disk + " >/dev/null 2>&1"),
              0);
    const std::vector<uint8_t> before = read_file(disk);
    const auto kill_after = std::chrono::milliseconds(std::uniform_int_distribution<int>(20, 600)(rng));
    Outcome o = run_and_kill(image, disk, kill_after);
    SCOPED_TRACE("round " + std::to_string(round) + ", killed " + std::to_string(kill_after.count()) +
                 " ms after the first durable line\n" + o.output.substr(0, 2000));
    ASSERT_GT(o.durable_lines, 0u) << "the client never completed a flush";
    ASSERT_GT(o.blocks, 0u);
    const std::vector<uint8_t> bytes = read_file(disk);
    ASSERT_EQ(bytes.size(), before.size());
    ASSERT_LE(kFirstBlock + o.blocks, kPartitionBlocks + kFirstBlock);
    for (uint64_t b = 0; b < bytes.size() / 4096; ++b) {
      if (b >= kFirstBlock && b < kFirstBlock + kPartitionBlocks) continue;
      ASSERT_EQ(std::memcmp(bytes.data() + b * 4096, before.data() + b * 4096, 4096), 0) << "block " << b << " outside the partition changed";
    }
    // Every sequence number below `durable` was acknowledged before a completed FLUSH: the block it
    // went to holds it, or a later write to that block.
    uint64_t checked = 0;
    for (uint64_t b = 0; b < o.blocks && b < o.durable; ++b) {
      const uint64_t last = b + (o.durable - 1 - b) / o.blocks * o.blocks;  // largest seq < durable on b
      RecordHeader h;
      ASSERT_TRUE(read_record(bytes.data() + (kFirstBlock + b) * 4096, h)) << "block " << b << " lost the acknowledged write " << last;
      EXPECT_EQ(h.tag, 0xC4A54u);
      EXPECT_EQ(h.block, b);
      EXPECT_GE(h.version, last) << "block " << b << " went back to an older write";
      EXPECT_EQ(h.version % o.blocks, b);
      ++checked;
    }
    EXPECT_GT(checked, 0u);
    std::printf("crash round %d: killed %lld ms after the first flush, %zu flushes seen, durable up to %llu, %llu blocks checked\n",
                round, static_cast<long long>(kill_after.count()), o.durable_lines,
                static_cast<unsigned long long>(o.durable), static_cast<unsigned long long>(checked));
  }
}

}  // namespace
}  // namespace corokit::testing
