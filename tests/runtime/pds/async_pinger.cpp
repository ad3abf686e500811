// An async PD: a task first yields far more often than one turn's budget allows while nothing else
// happens (so turns end with work left and the loop must poll instead of blocking, or it would
// never finish), then ping-pongs with the peer over channel 0.
#include "executor/Yield.h"
#include "sdk/AsyncPd.h"

namespace {

using corokit::exec::AsyncPd;
using corokit::exec::Task;

constexpr int kRoundTrips = 2000;
constexpr int kYields = 20000;

struct Pinger {
  int round_trips = 0;
  int yields = 0;

  void start(AsyncPd& pd) { pd.spawn_detached(run(pd)); }

  Task<void> run(AsyncPd& pd) {
    co_await spin(pd);
    co_await ping(pd);
    corokit::log::info("done");
  }

  Task<void> ping(AsyncPd& pd) {
    for (; round_trips < kRoundTrips; ++round_trips) {
      pd.notify(0);
      co_await pd.channel(0).notified();
    }
    corokit::log::info("round trips: ", round_trips);
  }

  Task<void> spin(AsyncPd&) {
    for (; yields < kYields; ++yields) co_await corokit::exec::yield_now();
    corokit::log::info("yields: ", yields);
  }
};

}  // namespace

COROKIT_ASYNC_PD(Pinger, 16 * 1024);
