// A PD written against generated bindings (tests/gen/compile/system.xml, PD 'client'). As it stands
// it must compile; each MISUSE_* block is a misuse the typed bindings must reject at compile time
// (CompileCheck.cmake compiles it with and without the block and checks the diagnostic).
#include "client_bindings.h"
#include "sdk/Pd.h"

namespace sdf = bindings::client;
using namespace corokit;

struct Client {
  void init() {
    MessageInfo reply = sdf::channels::server.ppcall(MessageInfo(1, 0));
    (void)reply;
    CallResult result = sdf::channels::server.call(MessageInfo(2, 0));
    (void)result;
    sdf::channels::server.notify();
    sdf::channels::logger.notify();
    sdf::channels::logger.deferred_notify();
    sdf::irqs::timer.ack();
    sdf::irqs::timer.deferred_ack();
    sdf::regions::buffer.view<uint32_t>()[0] = sdf::regions::config.view<uint32_t>()[0];
    static_assert(sdf::regions::buffer.size == 0x1000 && sdf::regions::buffer.writable);
    static_assert(!sdf::regions::config.writable && sdf::regions::config.vaddr == 0x2000000);
    static_assert(sdf::setvars::buffer == 0x2001000);
    NotifyChannel narrowed = sdf::channels::server;  // fewer facets: fine
    narrowed.notify();

#if defined(MISUSE_PPCALL_ON_NOTIFY_ONLY)
    sdf::channels::logger.ppcall(MessageInfo(1, 0));
#elif defined(MISUSE_CALL_ON_NOTIFY_ONLY)
    (void)sdf::channels::logger.call(MessageInfo(1, 0));
#elif defined(MISUSE_IRQ_ACK_ON_CHANNEL)
    sdf::channels::server.ack();
#elif defined(MISUSE_NOTIFY_ON_NOTIFY_FALSE)
    sdf::channels::sink.notify();
#elif defined(MISUSE_DEFERRED_NOTIFY_ON_NOTIFY_FALSE)
    sdf::channels::sink.deferred_notify();
#elif defined(MISUSE_NOTIFY_ON_IRQ)
    sdf::irqs::timer.notify();
#elif defined(MISUSE_WRITE_READ_ONLY_REGION)
    sdf::regions::config.view<uint32_t>()[0] = 1;
#elif defined(MISUSE_WRITE_READ_ONLY_REGION_AS)
    sdf::regions::config.view().as<uint64_t>()[0] = 1;
#elif defined(MISUSE_WRITE_READ_ONLY_OBJECT)
    sdf::regions::config.object<uint64_t>() = 1;
#elif defined(MISUSE_RESTART_NON_CHILD)
    sdf::children::server.restart();
#elif defined(MISUSE_RESTART_CHANNEL)
    sdf::channels::server.restart();
#elif defined(MISUSE_WIDEN_HANDLE)
    BasicChannel<facet::Notify | facet::PpCall> widened = sdf::channels::logger;
    (void)widened;
#endif
  }
  void notified(Channel ch) {
    if (ch == sdf::channels::sink) sdf::children::worker.restart();
    switch (ch.id()) {
      case sdf::channels::logger.id():
        sdf::children::worker.stop();
        break;
      case sdf::irqs::timer.id():
        sdf::children::worker.resume();
        break;
      default:
        break;
    }
  }
  bool fault(Child, MessageInfo, MessageInfo&) { return false; }
};
COROKIT_PD(Client);
