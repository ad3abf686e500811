// A `corokit run` of a packed image in a child process, its output in a log file, for system tests
// that talk to the running system from the test (sockets, signals). Stopped (SIGTERM, then SIGKILL)
// and cleaned up when destroyed. `corokit` is the path of the corokit binary.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace corokit::testing {

class RunningSystem {
 public:
  RunningSystem(const std::string& corokit, const std::string& image, const std::vector<std::string>& options, const std::string& netns = "",
         bool unprivileged = false) {
    const std::string stem = ::testing::TempDir() + "corokit-system-" + std::to_string(getpid()) + "-" + std::to_string(counter_++);
    log_ = stem + ".log";
    std::string program = corokit, packed = image;
    if (unprivileged && geteuid() == 0) {
      // nobody may not reach the build tree (a private home or CI directory): run copies.
      namespace fs = std::filesystem;
      copies_ = stem + ".bin";
      fs::create_directories(copies_);
      fs::permissions(copies_, fs::perms(0755));
      program = copies_ + "/corokit";
      packed = copies_ + "/system.img";
      fs::copy_file(corokit, program, fs::copy_options::overwrite_existing);
      fs::copy_file(image, packed, fs::copy_options::overwrite_existing);
      fs::permissions(program, fs::perms(0755));
      fs::permissions(packed, fs::perms(0644));
    }
    std::vector<std::string> argv;
    if (!netns.empty()) argv = {"/usr/bin/env", "ip", "netns", "exec", netns};
    argv.insert(argv.end(), {program, "run", packed, "--timeout", "150", "--no-prefix", "--colour=never"});
    argv.insert(argv.end(), options.begin(), options.end());
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
      if (unprivileged && geteuid() == 0 &&
          (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0)) {
        _exit(126);
      }
      std::vector<char*> args;
      for (std::string& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~RunningSystem() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 100 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) usleep(20000);
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    unlink(log_.c_str());
    if (!copies_.empty()) std::filesystem::remove_all(copies_);
  }
  std::string output() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // The effective uid of the running `corokit run` (-1 if it is gone).
  long effective_uid() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Uid:", 0) == 0) {
        std::istringstream fields(line.substr(4));
        long real = -1, effective = -1;
        fields >> real >> effective;
        return effective;
      }
    }
    return -1;
  }
  pid_t pid() const { return pid_; }
  // Waits until the output contains every one of `texts`.
  bool wait_for(const std::vector<std::string>& texts, std::chrono::seconds timeout = std::chrono::seconds(30)) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      std::string out = output();
      bool all = true;
      for (const std::string& t : texts) all = all && out.find(t) != std::string::npos;
      if (all) return true;
      if (out.find("MON|ERROR: cannot boot") != std::string::npos) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

 private:
  static constexpr uid_t kNobody = 65534;
  static inline int counter_ = 0;
  std::string log_;
  std::string copies_;  // copies of the binary and image for an unprivileged run
  pid_t pid_ = -1;
};

}  // namespace corokit::testing
