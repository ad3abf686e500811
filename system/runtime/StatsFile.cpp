#include "system/runtime/StatsFile.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "system/runtime/SharedObject.h"

namespace corokit::runtime {
namespace {

using Json = nlohmann::ordered_json;

uint64_t value(const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); }

// {"id": count} for the channels with a non-zero count.
Json by_channel(const uint64_t (&counts)[counters::kChannels]) {
  Json out = Json::object();
  for (unsigned ch = 0; ch < counters::kChannels; ++ch) {
    if (counts[ch] != 0) out[std::to_string(ch)] = counts[ch];
  }
  return out;
}

// `channels`: by channel id too (a PD's own ids; meaningless in a sum over PDs).
Json to_json(const CounterValues& v, bool channels) {
  Json j;
  j["notifications"] = v.notifications_total();
  if (channels) j["notifications_by_channel"] = by_channel(v.notifications);
  j["notified"] = v.notified_total();
  if (channels) j["notified_by_channel"] = by_channel(v.notified);
  j["futex_wakes"] = v.futex_wakes;
  j["futex_waits"] = v.futex_waits;
  j["calls_made"] = v.calls_made;
  j["calls_served"] = v.calls_served;
  j["irqs_delivered"] = v.irqs_delivered;
  j["irqs_acked"] = v.irqs_acked;
  j["copies"] = v.copies;
  j["copied_bytes"] = v.copied_bytes;
  return j;
}

}  // namespace

CounterValues CounterValues::read(const counters::PdCounters& b) {
  CounterValues v;
  v.futex_wakes = value(b.futex_wakes);
  v.futex_waits = value(b.futex_waits);
  v.calls_made = value(b.calls_made);
  v.calls_served = value(b.calls_served);
  v.irqs_delivered = value(b.irqs_delivered);
  v.irqs_acked = value(b.irqs_acked);
  v.copies = value(b.copies);
  v.copied_bytes = value(b.copied_bytes);
  for (unsigned ch = 0; ch < counters::kChannels; ++ch) {
    v.notifications[ch] = value(b.notifications[ch]);
    v.notified[ch] = value(b.notified[ch]);
  }
  return v;
}

void CounterValues::store(counters::PdCounters& b) const {
  b.futex_wakes.store(futex_wakes);
  b.futex_waits.store(futex_waits);
  b.calls_made.store(calls_made);
  b.calls_served.store(calls_served);
  b.irqs_delivered.store(irqs_delivered);
  b.irqs_acked.store(irqs_acked);
  b.copies.store(copies);
  b.copied_bytes.store(copied_bytes);
  for (unsigned ch = 0; ch < counters::kChannels; ++ch) {
    b.notifications[ch].store(notifications[ch]);
    b.notified[ch].store(notified[ch]);
  }
}

uint64_t CounterValues::notifications_total() const {
  uint64_t n = 0;
  for (uint64_t c : notifications) n += c;
  return n;
}

uint64_t CounterValues::notified_total() const {
  uint64_t n = 0;
  for (uint64_t c : notified) n += c;
  return n;
}

CounterValues& CounterValues::operator+=(const CounterValues& o) {
  futex_wakes += o.futex_wakes;
  futex_waits += o.futex_waits;
  calls_made += o.calls_made;
  calls_served += o.calls_served;
  irqs_delivered += o.irqs_delivered;
  irqs_acked += o.irqs_acked;
  copies += o.copies;
  copied_bytes += o.copied_bytes;
  for (unsigned ch = 0; ch < counters::kChannels; ++ch) {
    notifications[ch] += o.notifications[ch];
    notified[ch] += o.notified[ch];
  }
  return *this;
}

std::string stats_json(const StatsSnapshot& s) {
  Json doc;
  doc["snapshot"] = s.sequence;
  doc["final"] = s.final;
  doc["time_ms"] = s.time_ms;
  Json pds = Json::array();
  CounterValues total;
  for (const PdStats& pd : s.pds) {
    Json j;
    j["name"] = pd.name;
    j["restarts"] = pd.restarts;
    j.update(to_json(pd.values, true));
    pds.push_back(std::move(j));
    total += pd.values;
  }
  doc["pds"] = std::move(pds);
  doc["total"] = to_json(total, false);
  doc["monitor"] = Json{{"futex_wakes", s.monitor.futex_wakes}, {"irqs_raised", s.monitor.irqs_raised}};
  return doc.dump(2) + "\n";
}

Status write_file_atomically(const std::string& path, const std::string& text) {
  const std::string temp = path + ".tmp." + std::to_string(getpid());
  Status written = [&]() -> Status {
    Fd fd(open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) return Error{"cannot write " + temp + ": " + std::strerror(errno)};
    for (size_t done = 0; done < text.size();) {
      ssize_t n = write(fd.get(), text.data() + done, text.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Error{"cannot write " + temp + ": " + std::strerror(errno)};
      done += static_cast<size_t>(n);
    }
    return Ok{};
  }();
  if (written && std::rename(temp.c_str(), path.c_str()) != 0) {
    written = Error{"cannot rename " + temp + " to " + path + ": " + std::strerror(errno)};
  }
  if (!written) unlink(temp.c_str());
  return written;
}

}  // namespace corokit::runtime
