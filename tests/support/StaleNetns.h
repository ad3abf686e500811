// Network namespaces named PREFIX<pid>... by a test or benchmark run that was killed before its
// clean-up (a ctest timeout, ^C) are deleted by the next run: only those whose process is gone.
#pragma once

#include <dirent.h>
#include <signal.h>

#include <cerrno>
#include <cstdlib>
#include <string>

namespace corokit::testing {

inline void remove_stale_netns(const std::string& prefix) {
  DIR* dir = opendir("/var/run/netns");
  if (dir == nullptr) return;
  while (dirent* e = readdir(dir)) {
    const std::string name = e->d_name;
    if (name.rfind(prefix, 0) != 0) continue;
    char* end = nullptr;
    const long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (end == name.c_str() + prefix.size() || pid <= 0) continue;
    if (kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::system(("ip netns del '" + name + "' >/dev/null 2>&1").c_str());
    }
  }
  closedir(dir);
}

}  // namespace corokit::testing
