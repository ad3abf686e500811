#include "bench/flagship/ProcessTree.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace corokit::bench {
namespace {

namespace fs = std::filesystem;

// The parent from /proc/PID/stat (field 4, after the parenthesised command, which may hold spaces).
pid_t parent_of(const fs::path& proc) {
  std::ifstream in(proc / "stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 1));
  std::string state;
  pid_t parent = -1;
  fields >> state >> parent;
  return parent;
}

std::string first_argument(const fs::path& proc) {
  std::ifstream in(proc / "cmdline");
  std::string arg;
  std::getline(in, arg, '\0');
  return arg;
}

// "Key:   123 kB" lines of status or smaps_rollup.
uint64_t field(const fs::path& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1));
  }
  return 0;
}

void add_threads(const fs::path& proc, ProcessSample& s) {
  std::error_code ec;
  for (const auto& task : fs::directory_iterator(proc / "task", ec)) {
    std::ifstream sched(task.path() / "schedstat");
    uint64_t ns = 0;
    if (sched >> ns) s.cpu_ns += ns;
    s.voluntary_switches += field(task.path() / "status", "voluntary_ctxt_switches");
    s.involuntary_switches += field(task.path() / "status", "nonvoluntary_ctxt_switches");
  }
}

// Counters of threads that ended between two samples are gone: never below zero.
uint64_t minus(uint64_t after, uint64_t before) { return after > before ? after - before : 0; }

}  // namespace

ProcessTree ProcessTree::sample(const std::vector<pid_t>& roots) {
  auto is_root = [&](pid_t p) { return std::find(roots.begin(), roots.end(), p) != roots.end(); };
  std::map<pid_t, pid_t> parents;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    parents[static_cast<pid_t>(std::stol(name))] = parent_of(entry.path());
  }
  ProcessTree tree;
  for (const auto& [pid, parent] : parents) {
    pid_t p = pid;
    for (int depth = 0; depth < 16 && p > 1 && !is_root(p); ++depth) {
      auto it = parents.find(p);
      p = it == parents.end() ? -1 : it->second;
    }
    if (!is_root(p)) continue;
    const fs::path proc = fs::path("/proc") / std::to_string(pid);
    ProcessSample s;
    s.name = first_argument(proc);
    add_threads(proc, s);
    s.pss_kib = field(proc / "smaps_rollup", "Pss");
    s.rss_kib = field(proc / "smaps_rollup", "Rss");
    tree.processes_[pid] = s;
  }
  return tree;
}

std::map<std::string, ProcessSample> ProcessTree::delta_to(const ProcessTree& later) const {
  std::map<std::string, ProcessSample> out;
  for (const auto& [pid, after] : later.processes_) {
    auto it = processes_.find(pid);
    if (it == processes_.end()) continue;
    ProcessSample& d = out[after.name];
    d.name = after.name;
    d.cpu_ns += minus(after.cpu_ns, it->second.cpu_ns);
    d.voluntary_switches += minus(after.voluntary_switches, it->second.voluntary_switches);
    d.involuntary_switches += minus(after.involuntary_switches, it->second.involuntary_switches);
  }
  return out;
}

}  // namespace corokit::bench
