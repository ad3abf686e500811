// A network namespace of its own with a TAP device `tap0` in it (host side ADDRESS/24), for system
// tests that boot a PD system with `--nic tap=tap0` inside the namespace and talk to it from there.
// Needs root; names are unique per process (PREFIX<pid>_<n>) and the namespace, with the device, is
// deleted on destruction (or by the next run, if this one was killed).
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/StaleNetns.h"

namespace corokit::testing {

// Runs `argv` (through the shell, arguments quoted) and returns its exit status; its output
// (stdout and stderr) into `output` when given.
inline int run_command(const std::vector<std::string>& argv, std::string* output = nullptr) {
  std::string cmd;
  for (const std::string& a : argv) cmd += "'" + a + "' ";
  cmd += "2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  std::string out;
  while (size_t n = fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  if (output != nullptr) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline bool can_use_tap() { return geteuid() == 0 && access("/dev/net/tun", R_OK | W_OK) == 0; }

class TapNamespace {
 public:
  TapNamespace(const std::string& prefix, const std::string& host_address) {
    static int counter = 0;
    if (counter == 0) remove_stale_netns(prefix);
    name_ = prefix + std::to_string(getpid()) + "_" + std::to_string(counter++);
    ok_ = run_command({"ip", "netns", "add", name_}) == 0 &&
          run_command({"ip", "-n", name_, "tuntap", "add", "dev", "tap0", "mode", "tap"}) == 0 &&
          run_command({"ip", "-n", name_, "addr", "add", host_address + "/24", "dev", "tap0"}) == 0 &&
          run_command({"ip", "-n", name_, "link", "set", "tap0", "up"}) == 0 &&
          run_command({"ip", "-n", name_, "link", "set", "lo", "up"}) == 0;
  }
  ~TapNamespace() { run_command({"ip", "netns", "del", name_}); }
  TapNamespace(const TapNamespace&) = delete;
  TapNamespace& operator=(const TapNamespace&) = delete;

  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }

  // Runs `fn` on a thread that joined the namespace (sockets it creates live there).
  void run(const std::function<void()>& fn) const {
    std::thread t([&] {
      int fd = open(("/var/run/netns/" + name_).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
        ADD_FAILURE() << "setns into " << name_ << ": " << std::strerror(errno);
        return;
      }
      close(fd);
      fn();
    });
    t.join();
  }

 private:
  std::string name_;
  bool ok_ = false;
};

}  // namespace corokit::testing
