// Channel handles for C++ PDs. A handle carries the operations the SDF grants on it as facets, so
// typed bindings (`corokit gen`) can make misuse a compile error: `BasicChannel<Facet::Notify>`
// has notify() but no ppcall(). `Channel` (all facets) is the untyped handle entry points receive;
// its operations are checked at run time against the PD's masks, as in Microkit. Freestanding.
#pragma once

#include <cstdint>

#include "sdk/Kernel.h"
#include "sdk/MessageInfo.h"
#include "sdk/include/microkit.h"

namespace corokit {

namespace facet {
inline constexpr unsigned None = 0;                 // an id only (e.g. the other end only notifies)
inline constexpr unsigned Notify = 1u << 0;         // this end may notify the other end
inline constexpr unsigned PpCall = 1u << 1;         // this end may make protected calls
inline constexpr unsigned ReceivesCalls = 1u << 2;  // the other end calls this PD
inline constexpr unsigned Irq = 1u << 3;            // an interrupt this PD acknowledges
inline constexpr unsigned All = Notify | PpCall | ReceivesCalls | Irq;
}  // namespace facet

using sdk::CallFailure;

// The outcome of BasicChannel::call().
struct CallResult {
  MessageInfo reply;
  CallFailure failure = CallFailure::None;
  constexpr bool ok() const { return failure == CallFailure::None; }
};

// Why this PD's last protected call failed (None when it got a reply).
CallFailure last_call_failure();
const char* describe(CallFailure f);

template <unsigned Facets>
class BasicChannel {
 public:
  constexpr explicit BasicChannel(microkit_channel id) : id_(id) {}
  constexpr microkit_channel id() const { return id_; }

  void notify() const
    requires((Facets & facet::Notify) != 0)
  {
    microkit_notify(id_);
  }
  // Sent when this PD next waits, together with the turn's other notifications (duplicates dropped).
  void deferred_notify() const
    requires((Facets & facet::Notify) != 0)
  {
    microkit_deferred_notify(id_);
  }
  MessageInfo ppcall(MessageInfo info) const
    requires((Facets & facet::PpCall) != 0)
  {
    return MessageInfo(microkit_ppcall(id_, info.raw()));
  }
  // A protected call that says why it failed when it did (a timeout, the callee faulted, stopped,
  // restarted or died: R4, opt-in at `corokit run`); the reply words are in the message registers.
  CallResult call(MessageInfo info) const
    requires((Facets & facet::PpCall) != 0)
  {
    MessageInfo reply(microkit_ppcall(id_, info.raw()));
    return CallResult{reply, reply.word() == sdk::kCallFailedInfo ? last_call_failure() : CallFailure::None};
  }
  void ack() const
    requires((Facets & facet::Irq) != 0)
  {
    microkit_irq_ack(id_);
  }
  void deferred_ack() const
    requires((Facets & facet::Irq) != 0)
  {
    microkit_deferred_irq_ack(id_);
  }

  // A handle may be narrowed to fewer facets, never widened.
  template <unsigned Other>
    requires((Other & Facets) == Other)
  constexpr operator BasicChannel<Other>() const {
    return BasicChannel<Other>(id_);
  }

  friend constexpr bool operator==(BasicChannel a, BasicChannel b) { return a.id_ == b.id_; }
  friend constexpr bool operator==(BasicChannel a, microkit_channel b) { return a.id_ == b; }

 private:
  microkit_channel id_;
};

using Channel = BasicChannel<facet::All>;
using NotifyChannel = BasicChannel<facet::Notify>;
using CallChannel = BasicChannel<facet::PpCall | facet::Notify>;
using IrqChannel = BasicChannel<facet::Irq>;

// A child PD (by its SDF child id).
class Child {
 public:
  constexpr explicit Child(microkit_child id) : id_(id) {}
  constexpr microkit_child id() const { return id_; }
  // A true reset on the host: a fresh process from the image; shared regions keep their contents.
  void restart() const { microkit_pd_restart(id_, 0x200000); }
  void stop() const { microkit_pd_stop(id_); }
  void resume() const { microkit_pd_resume(id_); }
  friend constexpr bool operator==(Child a, Child b) { return a.id_ == b.id_; }

 private:
  microkit_child id_;
};

}  // namespace corokit
