// The two HTTP servers the benchmark compares, serving the same files:
//   * the flagship (examples/http-server) booted as scripts/demo boots it: `corokit run` with a
//     disk made by make-disk.sh and `--nic user,hostfwd=tcp:127.0.0.1:PORT-:80` (libslirp);
//   * nginx, with a generated minimal configuration (single process, no daemon, every path in the
//     scratch directory), serving the files copied out of that same disk image with mcopy: on a
//     free loopback port, or in a network namespace behind slirp4netns (the same libslirp, and a
//     hostfwd on 127.0.0.1 as --nic user sets up, with a TAP device into the kernel's stack where
//     corokit has its NIC driver PD). The second needs root (a network namespace).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/flagship/ChildProcess.h"
#include "bench/flagship/ScratchDirectory.h"
#include "system/support/Result.h"

namespace corokit::bench {

struct ServedSystem {
  ScratchDirectory scratch;
  std::vector<ChildProcess> processes;  // `corokit run`; nginx; or nginx and slirp4netns
  uint16_t port = 0;
  std::string stats_path;     // corokit: `corokit run --stats` (CounterSnapshot.h); empty for nginx
  uint64_t stats_taken = 0;   // the newest snapshot read so far

  std::vector<pid_t> pids() const;
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port) + path; }
};

struct FlagshipPaths {
  std::string corokit;     // the corokit binary
  std::string image;       // http_server_user.img
  std::string source_dir;  // the repository (make-disk.sh and the site)
  std::vector<std::string> run_options;  // more `corokit run` options (e.g. --spin-us 0)
};

// Makes the disk and boots the system; returns once the server printed its readiness line.
Result<ServedSystem> boot_flagship(const FlagshipPaths& paths);

enum class NginxPath { Loopback, Slirp };

// Makes the same disk, copies its site partition out and starts nginx on it.
Result<ServedSystem> start_nginx(const FlagshipPaths& paths, NginxPath path);

}  // namespace corokit::bench
