// A temporary directory that is removed however the benchmark ends: by the destructor on a normal
// exit, and otherwise (Ctrl-C, SIGTERM, SIGKILL, a crash) by a guard process that waits, detached
// from the terminal's signals, for the benchmark's end of a pipe to close.
#pragma once

#include <sys/types.h>

#include <string>

#include "system/support/Result.h"

namespace corokit::bench {

class ScratchDirectory {
 public:
  // Makes /tmp/PREFIX-XXXXXX (mode 0755: servers that drop privileges can read it).
  static Result<ScratchDirectory> create(const std::string& prefix);

  ScratchDirectory() = default;
  ScratchDirectory(ScratchDirectory&& other) noexcept;
  ScratchDirectory& operator=(ScratchDirectory&& other) noexcept;
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  ~ScratchDirectory() { remove(); }

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  void remove();
  std::string path_;
  int guard_pipe_ = -1;
  pid_t guard_ = -1;
};

}  // namespace corokit::bench
