// Options of `corokit run` (docs/runtime.md), parsed once and shared by the command and the tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "system/support/Result.h"

namespace corokit::runtime {

// A disk image attached as a block device (`--disk PATH[,readonly][,direct][,sector=N][,serial=S]`,
// like QEMU's -drive): the n-th --disk is block device n (HOST_BOARD.md).
struct DiskOption {
  std::string path;
  bool read_only = false;      // opened read-only; writes are refused by the driver
  bool direct = false;         // O_DIRECT: bypass the host page cache
  uint32_t sector_size = 512;  // the device's logical sector size (512 or 4096)
  std::string serial;          // storage-info serial number; empty: derived from the path
};

// R4: give up on protected calls after a time. `pd` empty: every `pp` channel of the system (the
// default); otherwise the channel `channel` of the calling PD `pd`, which overrides the default.
struct PpcTimeout {
  std::string pd;
  unsigned channel = 0;
  uint32_t us = 0;  // 0: no timeout (exempts a channel from the default)
};

struct RunOptions {
  bool single_runner = false;      // one PD at a time, uniprocessor seL4 order (R7)
  bool prefix = true;              // prefix PD lines with the PD name
  enum class Colour { Auto, Always, Never } colour = Colour::Auto;
  bool drop_pd_output = false;     // --no-dbg: mimic a release build
  std::optional<double> timeout_s; // stop after this many seconds
  std::string until;               // stop once an output line contains this
  bool until_idle = false;         // stop once no PD can make progress
  bool stop_on_fault = false;      // --on-fault=stop
  bool checked = false;            // misuse faults the PD (R5, R6)
  uint64_t spin_ns = 5000;         // bounded spin before sleeping (0: never spin)
  enum class Sched { Auto, Fifo, Other } sched = Sched::Auto;
  std::string log_path;
  std::string json_path;
  std::string console = "stdio";   // stdio | pty | file=PATH
  int console_input_fd = 0;        // console input with stdio or file=PATH (corokit run: its stdin)
  std::vector<std::string> nics;   // --nic, in order: NIC 0, 1, ... (NicBackend.h)
  unsigned root_restarts = 0;      // R10: restart a faulted root PD up to N times
  bool boot_report = false;        // print the boot time once every init() returned
  std::vector<DiskOption> disks;   // block devices 0, 1, ... in order
  std::vector<PpcTimeout> ppc_timeouts;  // --ppc-timeout (R4); none: calls wait as on Microkit
  bool ppc_fail_fast = false;      // a call fails when its callee faults, stops, restarts or dies (R4)
  std::string stats_path;          // --stats: every PD's counters as JSON, at the end and on SIGUSR1
};

// Parses the value of one --disk option.
Result<DiskOption> parse_disk_option(const std::string& value);

// Parses the options following the image path; `args` excludes the program and subcommand names.
Result<RunOptions> parse_run_options(const std::vector<std::string>& args, std::string* image_path);
const char* run_options_help();

}  // namespace corokit::runtime
