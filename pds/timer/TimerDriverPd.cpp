// The host board's timer driver PD: the timer protocol (PROTOCOLS.md §2) over a CLOCK_MONOTONIC
// timerfd, the device the monitor hands to the PD that declares IRQ 34. Passive, with a higher
// priority than its clients; any number of clients up to 62, each on its own channel (pp="true" on
// the client's end). The device's register window must be mapped with setvar_vaddr="timer_regs"
// (the information page: the timerfd's descriptor, the clock resolution, the system epoch).
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "executor/Optional.h"
#include "pds/timer/TimerDriver.h"
#include "sdk/EventLoop.h"
#include "sdk/Pd.h"
#include "sdk/host/DeviceInfo.h"

extern "C" {
uintptr_t timer_regs = 0;
}

namespace {

using namespace corokit;

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

std::uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * kNsPerSecond + static_cast<std::uint64_t>(ts.tv_nsec);
}

// The timerfd, programmed with absolute CLOCK_MONOTONIC deadlines: time t of the system is the
// monotonic reading epoch + t, with no rounding.
class TimerFd final : public pds::TimerHardware {
 public:
  TimerFd(int fd, std::uint64_t epoch) : fd_(fd), epoch_(epoch) {}

  std::uint64_t now() noexcept override {
    const std::uint64_t raw = monotonic_ns();
    return raw > epoch_ ? raw - epoch_ : 0;
  }
  void program(std::uint64_t deadline) noexcept override {
    const std::uint64_t raw = epoch_ + deadline;  // deadline <= 2^63 - 1 and epoch is an uptime: no overflow
    itimerspec its{};
    its.it_value.tv_sec = static_cast<time_t>(raw / kNsPerSecond);
    its.it_value.tv_nsec = static_cast<long>(raw % kNsPerSecond);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;  // 0 would disarm
    timerfd_settime(fd_, TFD_TIMER_ABSTIME, &its, nullptr);
  }
  void disarm() noexcept override {
    itimerspec its{};
    timerfd_settime(fd_, 0, &its, nullptr);
  }
  bool consume_expiry() noexcept override {
    std::uint64_t expiries = 0;
    return read(fd_, &expiries, sizeof expiries) == static_cast<ssize_t>(sizeof expiries) && expiries > 0;
  }

 private:
  int fd_;
  std::uint64_t epoch_;
};

// Sent with the next wait (with the reply, for a PPC), deduplicated.
void notify_clients(std::uint64_t channels) {
  for (; channels != 0; channels &= channels - 1) {
    const auto ch = static_cast<unsigned>(__builtin_ctzll(channels));
    if ((microkit_notifications >> ch) & 1) {
      sdk::defer_notify(ch);
    } else {
      microkit_deferred_notify(ch);  // prints Microkit's invalid-channel message
    }
  }
}

struct TimerDriverPd {
  exec::Optional<TimerFd> device;
  exec::Optional<pds::TimerDriver> driver;
  std::uint64_t reported[pds::TimerDriver::kMaxClients] = {};  // refusal kinds already logged, per client

  void init() {
    const auto* info = reinterpret_cast<const host::DeviceInfo*>(timer_regs);
    if (info == nullptr || info->magic != host::kDeviceInfoMagic || info->kind != 1 || info->fd < 0) {
      log::error("no timer device: map the timer's register window (0x9010000) with setvar_vaddr=\"timer_regs\" "
                 "and declare IRQ 34; every request will be refused");
      return;
    }
    device.emplace(info->fd, info->clock_epoch_ns);
    pds::TimerDriverConfig config;
    config.resolution_ns = info->clock_resolution_ns != 0 ? info->clock_resolution_ns : 1;
    driver.emplace(*device, config);
  }

  void notified(Channel ch) {
    if (((microkit_irqs >> ch.id()) & 1) == 0) return;  // a client notifying us: nothing to do
    std::uint64_t notify = 0;
    if (driver) driver->on_interrupt(notify);
    notify_clients(notify);
    ch.deferred_ack();
  }

  MessageInfo protected_call(Channel ch, MessageInfo msg) {
    if (!driver) return MessageInfo(CK_TIMER_ERR, 0);
    std::uint64_t notify = 0;
    const unsigned id = ch.id();
    const pds::TimerDriver::ClientStats before = driver->client_stats(id);
    const pds::TimerDriver::Reply reply =
        driver->handle(id, msg.label(), msg.count(), msg.count() >= 1 ? mr::get(0) : 0, notify);
    for (unsigned i = 0; i < reply.count; ++i) mr::set(i, reply.mr[i]);
    notify_clients(notify);
    if (reply.label != CK_TIMER_OK && id < pds::TimerDriver::kMaxClients) report(id, msg, before, driver->client_stats(id));
    return MessageInfo(reply.label, reply.count);
  }

  // The first refusal of each kind per client is logged; later ones are only counted.
  void report(unsigned id, MessageInfo msg, const pds::TimerDriver::ClientStats& before,
              const pds::TimerDriver::ClientStats& after) {
    auto once = [&](unsigned kind) {
      const bool first = (reported[id] & (1u << kind)) == 0;
      reported[id] |= 1u << kind;
      return first;
    };
    if (after.bad_label != before.bad_label && once(0)) {
      log::warn("client on channel ", id, ": unknown label ", msg.label(), " (answered TIMER_ERR)");
    } else if (after.bad_count != before.bad_count && once(1)) {
      log::warn("client on channel ", id, ": label ", msg.label(), " with count ", msg.count(), " (answered TIMER_ERR)");
    } else if (after.overflow != before.overflow && once(2)) {
      log::warn("client on channel ", id, ": deadline past 2^63 - 1 ns (answered TIMER_ERR)");
    } else if (after.flooded != before.flooded && once(3)) {
      log::warn("client on channel ", id, ": too many requests, refusing until its budget refills (answered TIMER_ERR)");
    }
  }
};

}  // namespace

COROKIT_PD(TimerDriverPd);
