// Writing a PD in C++: a type with the entry points, registered with one line.
//
//   struct Echo {
//     void init();                                                            // required
//     void notified(corokit::Channel ch);                                     // required
//     corokit::MessageInfo protected_call(corokit::Channel ch, corokit::MessageInfo msg);  // PPC targets
//     bool fault(corokit::Child child, corokit::MessageInfo msg, corokit::MessageInfo& reply);  // parents
//   };
//   COROKIT_PD(Echo);
//
// (`protected` is a C++ keyword, hence `protected_call`.) The object is constructed with the other
// static objects, before init(). Missing optional entry points behave as in libmicrokit: a message
// and a crash when one is needed. Freestanding.
#pragma once

#include "sdk/Channel.h"
#include "sdk/EventLoop.h"
#include "sdk/Log.h"
#include "sdk/MemoryRegion.h"
#include "sdk/MessageInfo.h"
#include "sdk/include/microkit.h"

extern "C" {
[[noreturn]] void corokit_missing_entry_point(const char* name);
}

namespace corokit {

// Runs `hook(context)` once per event-loop turn, after the entry point of a wake-up returned and
// before the PD waits again (where an executor runs its tasks until stalled).
inline bool on_turn_end(sdk::TurnHook hook, void* context) { return sdk::add_turn_hook(hook, context); }

namespace detail {

template <typename T>
microkit_msginfo call_protected(T& pd, microkit_channel ch, microkit_msginfo msg) {
  if constexpr (requires { pd.protected_call(Channel(ch), MessageInfo(msg)); }) {
    return pd.protected_call(Channel(ch), MessageInfo(msg)).raw();
  } else {
    corokit_missing_entry_point("protected");
  }
}

template <typename T>
seL4_Bool call_fault(T& pd, microkit_child child, microkit_msginfo msg, microkit_msginfo* reply) {
  if constexpr (requires(MessageInfo& r) { pd.fault(Child(child), MessageInfo(msg), r); }) {
    MessageInfo r;
    bool resume = pd.fault(Child(child), MessageInfo(msg), r);
    *reply = r.raw();
    return resume ? seL4_True : seL4_False;
  } else {
    corokit_missing_entry_point("fault");
  }
}

}  // namespace detail
}  // namespace corokit

#define COROKIT_PD(Type)                                                                              \
  namespace {                                                                                         \
  Type corokit_pd_instance;                                                                           \
  }                                                                                                   \
  extern "C" void init(void) { corokit_pd_instance.init(); }                                          \
  extern "C" void notified(microkit_channel ch) { corokit_pd_instance.notified(corokit::Channel(ch)); } \
  extern "C" microkit_msginfo microkit_protected_entry(microkit_channel ch, microkit_msginfo msg) {   \
    return corokit::detail::call_protected(corokit_pd_instance, ch, msg);                              \
  }                                                                                                   \
  extern "C" seL4_Bool fault(microkit_child child, microkit_msginfo msg, microkit_msginfo* reply) {   \
    return corokit::detail::call_fault(corokit_pd_instance, child, msg, reply);                        \
  }                                                                                                   \
  static_assert(true, "")
