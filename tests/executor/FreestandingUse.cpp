// Instantiates the executor's whole template API, so the freestanding aarch64 check
// (FreestandingCheck.cmake) compiles every header the way a bare-metal PD would use it.
#include "executor/fs/FatVolume.h"
#include "executor/AsyncPd.h"
#include "executor/Channel.h"
#include "executor/Event.h"
#include "executor/Executor.h"
#include "executor/Mutex.h"
#include "executor/Semaphore.h"
#include "executor/StopToken.h"
#include "executor/TaskScope.h"
#include "executor/WhenAll.h"
#include "executor/WhenAny.h"
#include "executor/Yield.h"

namespace corokit::exec::freestanding_use {

Task<int> twice(int x) { co_return 2 * x; }

Task<void> wait_for(Event& event) { co_await event; }

Task<int> everything(AsyncPd& pd, Event& event, Mutex& mutex, Semaphore& semaphore, Channel<int, 4>& channel) {
  auto [a, b, unit] = co_await when_all(twice(1), twice(2), wait_for(event));
  (void)unit;
  Task<int> range[2] = {twice(3), twice(4)};
  co_await when_all(range);
  const int c = co_await range[0];
  auto any = co_await when_any(twice(5), twice(6));
  Task<int> race[2] = {twice(7), twice(8)};
  const std::size_t winner = co_await when_any(race);
  {
    LockGuard guard = co_await mutex.lock();
    co_await semaphore.acquire();
    semaphore.release();
  }
  co_await channel.send(a);
  Optional<int> received = co_await channel.receive();
  co_await yield_now();
  TaskScope scope(pd.executor());
  scope.spawn(wait_for(event));
  co_await scope.join();
  JoinHandle<int> joined = pd.spawn(twice(9));
  Outcome<int> outcome = co_await joined;
  co_await pd.channel(3).notified();
  pd.channel(4).notify();
  pd.irq_ack(5);
  co_return a + b + c + any.value + static_cast<int>(winner) + *received + *outcome;
}

struct Source final : EventSource {
  void on_notified(ChannelId) noexcept override { ++polls; }
  unsigned polls = 0;
};

struct Platform final : PdPlatform {
  void notify(ChannelId) override {}
  void irq_ack(ChannelId) override {}
};

alignas(16) unsigned char arena[64 * 1024];

int run_once() {
  FramePool frames(arena, sizeof arena);
  Platform platform;
  AsyncPd pd(platform, frames);
  Source source;
  pd.sources().attach(1, source);
  Event event(true);
  Mutex mutex;
  Semaphore semaphore(1);
  Channel<int, 4> channel;
  StopSource stop;
  JoinHandle<int> handle = pd.executor().spawn(everything(pd, event, mutex, semaphore, channel), stop.token());
  pd.run_turn();
  pd.on_notified(3);
  pd.run_turn();
  return handle.done() ? 0 : 1;
}

// The FAT reader, over a reader that fails every read.
struct NoDisk {
  Task<bool> read(uint64_t, std::span<uint8_t>) { co_return false; }
};

Task<int> read_a_file(NoDisk& disk) {
  fs::FatVolume<NoDisk> volume(disk);
  if (co_await volume.mount(1 << 20) != fs::FsError::None) co_return 1;
  fs::FatNode node;
  if (co_await volume.lookup("/index.html", node) != fs::FsError::None) co_return 2;
  uint8_t buf[64];
  size_t got = 0;
  co_await volume.read(node, 0, buf, got);
  co_return int(got);
}

}  // namespace corokit::exec::freestanding_use
