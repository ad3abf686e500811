#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <type_traits>
#include <utility>
#include <vector>

#include "executor/AsyncPd.h"
#include "executor/host/HeapFramePool.h"

// Host-only test harness: drives a PD's executor in-process, without booting a system. It plays
// the PD runtime (it is the PdPlatform and calls AsyncPd's entry points the way the runtime does)
// and records what the PD sends.
//
//   PdHarness h;
//   h.pd().spawn_detached(server(h.pd()));
//   h.start();                       // the turn after init()
//   h.deliver(3);                    // a peer notifies channel 3; turns run until the PD is idle
//   auto reply = h.ppcall([&] { return my_protected(3, msg); });
//   h.deliver_at(h.now() + 1'000'000, 5);  // a timer driver that fires in 1 ms of virtual time
//   h.advance_time(2'000'000);
//   EXPECT_EQ(h.sent_count(Sent::Notify, 4), 1u);

namespace corokit::exec {

class PdHarness final : public PdPlatform {
 public:
  struct Sent {
    enum Kind : std::uint8_t { Notify, IrqAck };
    Kind kind;
    ChannelId channel;
    std::uint64_t turn;  // index of the turn that sent it
  };

  explicit PdHarness(AsyncPdConfig config = {});
  ~PdHarness();

  AsyncPd& pd() noexcept { return pd_; }
  Executor& executor() noexcept { return pd_.executor(); }
  FramePool& frames() noexcept { return frames_; }

  // The turns after init(): runs until the PD is idle.
  void start() { run_until_idle(); }
  // A wake-up with these channels pending (delivered in ascending id), then turns until idle.
  void deliver(ChannelId channel) { deliver({channel}); }
  void deliver(std::initializer_list<ChannelId> channels);
  // A protected procedure call: `handler` plays the PD's protected() entry point; the PD's tasks
  // then run until idle. Returns what the handler returned.
  template <class F>
  auto ppcall(F&& handler) -> std::invoke_result_t<F&> {
    enter();
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      handler();
      leave();
      run_until_idle();
    } else {
      auto reply = handler();
      leave();
      run_until_idle();
      return reply;
    }
  }

  // Virtual time, in nanoseconds. deliver_at() schedules a notification (e.g. a timer driver's);
  // advance_time() delivers the due ones in time order (ties in scheduling order).
  std::uint64_t now() const noexcept { return now_; }
  void deliver_at(std::uint64_t time_ns, ChannelId channel);
  void advance_time(std::uint64_t ns);

  // Runs turns while the PD reports more work; returns the number of turns.
  std::size_t run_until_idle(std::size_t max_turns = 1'000'000);
  TurnResult run_turn();

  const std::vector<Sent>& sent() const noexcept { return sent_; }
  std::size_t sent_count(Sent::Kind kind, ChannelId channel) const noexcept;
  void clear_sent() noexcept { sent_.clear(); }
  std::uint64_t turns() const noexcept { return turns_; }

  // PdPlatform: what the PD sends at the end of its turns.
  void notify(ChannelId channel) noexcept override;
  void irq_ack(ChannelId channel) noexcept override;

 private:
  void enter();
  void leave() noexcept { in_entry_point_ = false; }

  HeapFramePool frames_;
  AsyncPd pd_;
  std::vector<Sent> sent_;
  std::multimap<std::uint64_t, ChannelId> timed_;
  std::uint64_t now_ = 0;
  std::uint64_t turns_ = 0;
  bool in_entry_point_ = false;
};

}  // namespace corokit::exec
