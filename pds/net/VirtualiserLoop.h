// The loop both virtualiser PDs run: a pass whenever a peer notified, the notifications the pass
// asks for, one report per client put in quarantine, and a yield to other work between passes
// while peers keep producing.
#pragma once

#include "executor/Event.h"
#include "executor/Task.h"
#include "executor/Yield.h"
#include "pds/net/PeerHealth.h"
#include "sdk/AsyncPd.h"
#include "sdk/Log.h"

namespace corokit::net {

// `Virtualiser`: RxVirtualiser or TxVirtualiser. `reported` has one flag per client.
template <typename Virtualiser>
exec::Task<void> run_virtualiser(exec::AsyncPd& pd, Virtualiser& virt, exec::Event& wake, exec::ChannelId driver,
                                 const exec::ChannelId* channels, unsigned clients, bool* reported) {
  wake.set();
  for (;;) {
    co_await wake;
    wake.reset();
    for (;;) {
      const typename Virtualiser::Pass p = virt.pass();
      if (p.notify & Virtualiser::kDriverBit) pd.notify(driver);
      for (unsigned i = 0; i < clients; ++i) {
        if (p.notify & (1u << i)) pd.notify(channels[i]);
        const PeerHealth& h = virt.client_health(i);
        if (h.quarantined && !reported[i]) {
          reported[i] = true;
          log::error("peer misbehaviour: client ", i, " ", h.queue, " ", h.reason);
        }
      }
      if (!p.more) break;
      co_await exec::yield_now();
    }
  }
}

}  // namespace corokit::net
