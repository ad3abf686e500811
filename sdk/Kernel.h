// The seam between libmicrokit's semantics (platform-neutral, sdk/) and a platform backend
// (sdk/host/ on Linux, an in-process fake in tests, seL4 later).
//
// The event loop (EventLoop.h) and the C API (microkit.h) implement everything LIBMICROKIT.md
// specifies on top of these few operations; a backend only moves events and messages.
// Freestanding: no libc, no exceptions, no RTTI.
#pragma once

#include <cstddef>
#include <cstdint>

namespace corokit::sdk {

using Word = uint64_t;

inline constexpr unsigned kMaxChannelId = 61;  // ids 0..61 (62 and 63 are badge bits)
inline constexpr unsigned kMaxMessageRegisters = 120;

// What one wake-up of the PD delivers (LIBMICROKIT.md §4.2): either the notification word (every
// pending channel and IRQ bit), or one protected call, or one child fault.
struct Event {
  enum class Kind : uint8_t { Notifications, ProtectedCall, ChildFault };
  Kind kind = Kind::Notifications;
  Word bits = 0;        // Notifications
  unsigned id = 0;      // ProtectedCall: this PD's channel id; ChildFault: the child id
  Word info = 0;        // ProtectedCall / ChildFault: the msginfo; words are in the message registers
};

// What the loop owes when it next waits, performed in this order and then combined with the wait:
// the deferred notifications and IRQ acks of the iteration (call order, duplicates removed), the
// passive hand-shake, the reply.
struct WaitRequest {
  const uint8_t* notify = nullptr;
  unsigned notify_count = 0;
  const uint8_t* ack = nullptr;
  unsigned ack_count = 0;
  bool become_passive = false;
  bool reply = false;  // reply to the event delivered last (a protected call, or a child fault)
  Word reply_info = 0;
  // Do not block: when nothing is pending, return at once with an empty notification word. Set
  // when a turn hook still has work (an executor whose turn budget ran out), so pending events
  // are delivered between its turns instead of waiting for one.
  bool poll = false;
};

enum class ChildOp : uint8_t { Restart, Stop, Resume };

// Why a protected call returned without the callee's reply (LIBMICROKIT.md R4; opt-in on the host:
// `corokit run --ppc-timeout`, `--ppc-fail-fast`). The call then returns kCallFailedInfo.
enum class CallFailure : uint8_t { None = 0, Timeout, CalleeFaulted, CalleeStopped, CalleeRestarted, CalleeDied };
// The distinguished reply: label with all 52 bits set, count 0.
inline constexpr Word kCallFailedLabel = (Word{1} << 52) - 1;
inline constexpr Word kCallFailedInfo = kCallFailedLabel << 12;

class Kernel {
 public:
  // The PD's 120 message registers.
  virtual Word* message_registers() = 0;

  // Channel ids are already checked against the PD's masks by the caller.
  virtual void notify(unsigned ch) = 0;
  virtual void irq_ack(unsigned ch) = 0;
  // Sends `info` and words 0..count-1 of the message registers; returns the reply msginfo with the
  // reply words in the message registers.
  virtual Word ppcall(unsigned ch, Word info) = 0;
  // Why the last ppcall returned kCallFailedInfo (None: it returned the callee's reply).
  virtual CallFailure last_call_failure() const { return CallFailure::None; }
  virtual Event wait(const WaitRequest& request) = 0;
  // Returns false when `child` is not a child of this PD (or the operation failed).
  virtual bool child_control(ChildOp op, unsigned child, Word entry_point) = 0;
  // One complete line of debug output (or a chunk of a very long one).
  virtual void console_write(const char* text, size_t length) = 0;
  // Checked mode (corokit run --checked): misuse faults the PD (LIBMICROKIT.md R5, R6).
  virtual bool checked() const = 0;

 protected:
  ~Kernel() = default;
};

// The kernel of this PD, installed by the backend before init() runs.
Kernel& kernel();
void set_kernel(Kernel* k);

}  // namespace corokit::sdk
