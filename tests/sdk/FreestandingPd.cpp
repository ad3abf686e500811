// Compiled with -ffreestanding -fno-exceptions -fno-rtti (never linked): every public C++ SDK header
// and a complete PD type build without a hosted library, as they must for seL4 targets.
#include "sdk/Channel.h"
#include "sdk/Log.h"
#include "sdk/MemoryRegion.h"
#include "sdk/MessageInfo.h"
#include "sdk/Pd.h"

namespace {

struct Echo {
  static constexpr corokit::NotifyChannel peer{1};
  corokit::MemoryRegion<uint32_t> buffer;
  void init() { corokit::log::info("ready ", 42u, ' ', corokit::hex(0x1234, 4), ' ', -5); }
  void notified(corokit::Channel ch) {
    if (ch == 1u) peer.deferred_notify();
  }
  corokit::MessageInfo protected_call(corokit::Channel, corokit::MessageInfo msg) {
    corokit::mr::set(0, buffer.size());
    return corokit::MessageInfo(msg.label(), 1);
  }
  bool fault(corokit::Child child, corokit::MessageInfo, corokit::MessageInfo&) {
    child.restart();
    return false;
  }
};

}  // namespace

COROKIT_PD(Echo);
