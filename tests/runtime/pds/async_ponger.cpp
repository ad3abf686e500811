// The peer of async_pinger: answers every notification on channel 0 with one back.
#include "sdk/AsyncPd.h"

namespace {

using corokit::exec::AsyncPd;
using corokit::exec::Task;

struct Ponger {
  void start(AsyncPd& pd) { pd.spawn_detached(pong(pd)); }

  Task<void> pong(AsyncPd& pd) {
    for (;;) {
      co_await pd.channel(0).notified();
      pd.notify(0);
    }
  }
};

}  // namespace

COROKIT_ASYNC_PD(Ponger, 8 * 1024);
