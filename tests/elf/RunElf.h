// Runs a (patched) PD ELF fixture as a process and captures its stdout: the fixtures print their
// patched symbols, so this proves that patches reach the running program.
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <vector>

extern char** environ;

namespace corokit::test {

// The process's stdout; prefixed with "exit status N" unless it exited with 0.
inline std::string run_elf(const std::vector<uint8_t>& elf) {
  char path[] = "/tmp/corokit-elf-test-XXXXXX";
  int fd = ::mkstemp(path);
  if (fd < 0) return "mkstemp failed";
  bool written = ::write(fd, elf.data(), elf.size()) == static_cast<ssize_t>(elf.size());
  ::fchmod(fd, 0700);
  ::close(fd);
  std::string out;
  int pipefd[2];
  if (written && ::pipe2(pipefd, O_CLOEXEC) == 0) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
    char* argv[] = {path, nullptr};
    pid_t pid = 0;
    int rc = posix_spawn(&pid, path, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipefd[1]);
    if (rc == 0) {
      char buf[4096];
      ssize_t n;
      while ((n = ::read(pipefd[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
      int status = 0;
      ::waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) out = "exit status " + std::to_string(status) + "\n" + out;
    } else {
      out = "posix_spawn failed";
    }
    ::close(pipefd[0]);
  }
  ::unlink(path);
  return out;
}

}  // namespace corokit::test
