#include "bench/flagship/ScratchDirectory.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <utility>

namespace corokit::bench {

Result<ScratchDirectory> ScratchDirectory::create(const std::string& prefix) {
  std::string pattern = "/tmp/" + prefix + "-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return Error{"mkdtemp: " + std::string(std::strerror(errno))};
  chmod(pattern.c_str(), 0755);
  ScratchDirectory dir;
  dir.path_ = pattern;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error{"pipe: " + std::string(std::strerror(errno))};
  pid_t guard = fork();
  if (guard < 0) {
    close(fds[0]);
    close(fds[1]);
    return Error{"fork: " + std::string(std::strerror(errno))};
  }
  if (guard == 0) {
    // Out of the terminal's process group and deaf to the signals that end the benchmark.
    setsid();
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE}) signal(s, SIG_IGN);
    int null = open("/dev/null", O_RDWR);
    for (int fd = 0; fd < 3; ++fd) dup2(null, fd);
    const int keep = fds[0];
    for (int fd = 3; fd < 1024; ++fd) {
      if (fd != keep) close(fd);
    }
    char byte;
    for (;;) {  // until EOF: the benchmark closed its end or is gone
      ssize_t n = read(keep, &byte, 1);
      if (n > 0 || (n < 0 && errno == EINTR)) continue;
      break;
    }
    // The benchmark's children end at the same time (SIGTERM on their parent's death) and may still
    // remove files of their own (nginx its pid file), which makes a removal fail half way: retry.
    for (int attempt = 0; attempt < 50; ++attempt) {
      usleep(100000);
      std::error_code ignored;
      std::filesystem::remove_all(pattern, ignored);
      if (!std::filesystem::exists(pattern, ignored)) break;
    }
    _exit(0);
  }
  close(fds[0]);
  dir.guard_pipe_ = fds[1];
  dir.guard_ = guard;
  return dir;
}

ScratchDirectory::ScratchDirectory(ScratchDirectory&& other) noexcept
    : path_(std::move(other.path_)),
      guard_pipe_(std::exchange(other.guard_pipe_, -1)),
      guard_(std::exchange(other.guard_, -1)) {
  other.path_.clear();
}

ScratchDirectory& ScratchDirectory::operator=(ScratchDirectory&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::move(other.path_);
    other.path_.clear();
    guard_pipe_ = std::exchange(other.guard_pipe_, -1);
    guard_ = std::exchange(other.guard_, -1);
  }
  return *this;
}

void ScratchDirectory::remove() {
  if (!path_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    path_.clear();
  }
  if (guard_pipe_ >= 0) close(std::exchange(guard_pipe_, -1));
  if (guard_ > 0) waitpid(std::exchange(guard_, -1), nullptr, 0);
}

}  // namespace corokit::bench
