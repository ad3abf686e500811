// Why a protected call failed (R4), for C++ PDs. Freestanding.
#include "sdk/Channel.h"
#include "sdk/Kernel.h"

namespace corokit {

CallFailure last_call_failure() { return sdk::kernel().last_call_failure(); }

const char* describe(CallFailure f) {
  switch (f) {
    case CallFailure::None: return "replied";
    case CallFailure::Timeout: return "timed out";
    case CallFailure::CalleeFaulted: return "the callee faulted";
    case CallFailure::CalleeStopped: return "the callee was stopped";
    case CallFailure::CalleeRestarted: return "the callee was restarted";
    case CallFailure::CalleeDied: return "the callee died";
  }
  return "unknown";
}

}  // namespace corokit
