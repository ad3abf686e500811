#include "bench/flagship/CounterSnapshot.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

namespace corokit::bench {

PdCounts& PdCounts::operator+=(const PdCounts& o) {
  notifications += o.notifications;
  notified += o.notified;
  irqs += o.irqs;
  futex_wakes += o.futex_wakes;
  futex_waits += o.futex_waits;
  calls += o.calls;
  copies += o.copies;
  copied_bytes += o.copied_bytes;
  return *this;
}

PdCounts PdCounts::operator-(const PdCounts& o) const {
  return PdCounts{notifications - o.notifications, notified - o.notified, irqs - o.irqs,
                  futex_wakes - o.futex_wakes,     futex_waits - o.futex_waits, calls - o.calls,
                  copies - o.copies,               copied_bytes - o.copied_bytes};
}

PdCounts CounterSnapshot::total() const {
  PdCounts sum;
  for (const auto& [name, c] : pds) sum += c;
  return sum;
}

Result<CounterSnapshot> CounterSnapshot::take(pid_t monitor, const std::string& path, uint64_t after) {
  if (kill(monitor, SIGUSR1) != 0) return Error{"cannot signal corokit run (pid " + std::to_string(monitor) + ")"};
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    std::ifstream in(path);
    const nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_discarded() && doc.value("snapshot", uint64_t{0}) > after) {
      CounterSnapshot s;
      s.sequence = doc["snapshot"].get<uint64_t>();
      for (const nlohmann::json& pd : doc["pds"]) {
        PdCounts& c = s.pds[pd["name"].get<std::string>()];
        c.notifications = pd["notifications"].get<double>();
        c.notified = pd["notified"].get<double>();
        c.irqs = pd["irqs_delivered"].get<double>();
        c.futex_wakes = pd["futex_wakes"].get<double>();
        c.futex_waits = pd["futex_waits"].get<double>();
        c.calls = pd["calls_made"].get<double>();
        c.copies = pd["copies"].get<double>();
        c.copied_bytes = pd["copied_bytes"].get<double>();
      }
      s.monitor_futex_wakes = doc["monitor"]["futex_wakes"].get<double>();
      return s;
    }
    if (std::chrono::steady_clock::now() > deadline) return Error{"no counter snapshot in " + path + " within 10 s"};
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace corokit::bench
