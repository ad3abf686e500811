// The Linux backend of the Kernel seam: notifications, protected calls, IRQ acks and child control
// over the shared objects the monitor set up (Abi.h, Ipc.h), in parallel or single-runner mode.
#pragma once

#include "sdk/Kernel.h"
#include "sdk/host/Abi.h"
#include "sdk/host/Ipc.h"
#include "sdk/host/Startup.h"

namespace corokit::host {

class HostKernel final : public sdk::Kernel {
 public:
  // Reads the boot descriptor and the mapped objects left by the startup code.
  explicit HostKernel(const Boot& boot);

  sdk::Word* message_registers() override { return mrs_; }
  void notify(unsigned ch) override;
  void irq_ack(unsigned ch) override;
  sdk::Word ppcall(unsigned ch, sdk::Word info) override;
  sdk::CallFailure last_call_failure() const override { return last_failure_; }
  sdk::Event wait(const sdk::WaitRequest& request) override;
  bool child_control(sdk::ChildOp op, unsigned child, sdk::Word entry_point) override;
  void console_write(const char* text, size_t length) override;
  bool checked() const override { return (desc_->flags & kBootChecked) != 0; }

  ControlBlock& control() { return *control_; }

 private:
  struct Pair {
    PairHeader* header = nullptr;
    Direction* in = nullptr;   // peer → this PD
    Direction* out = nullptr;  // this PD → peer
    uint64_t receive_mask = 0;
    const StatusPage* peer_status = nullptr;
    uint64_t last_raised = 0;  // the bits this PD raised on `out` the previous time (raise())
  };
  struct CalleeSlot {
    PpcSlot* slot;
    unsigned channel;
    unsigned caller_priority;
  };

  PpcSlot* slot(const BootChannel& c) const;
  bool single_runner() const { return (desc_->flags & kBootSingleRunner) != 0; }
  void note(uint32_t bits);
  bool poll(sdk::Event& ev);
  bool anything_pending() const;
  bool peer_busy_elsewhere(unsigned cpu) const;
  void publish_cpu(unsigned cpu);
  void sleep();
  void send_reply(sdk::Word info);
  bool aborted(uint32_t seen, unsigned ch, uint32_t seq);
  void await_reply(PpcSlot& s, uint32_t seq, const Pair& p, uint32_t timeout_us, uint32_t aborts, unsigned ch,
                   bool waking);
  int64_t request(Request what, uint64_t a0, uint64_t a1);
  void set_state(PdState s) { control_->state.store(static_cast<uint32_t>(s), std::memory_order_relaxed); }

  const BootDescriptor* desc_;
  ControlBlock* control_;
  StatusPage* status_;
  sdk::Word* mrs_;
  Pair pairs_[kMaxIds];
  unsigned pair_count_ = 0;
  CalleeSlot callee_[kMaxIds];
  unsigned callee_count_ = 0;
  const BootChild* children_;
  WaitVector waitv_[kMaxIds + 1];
  Direction* ins_[kMaxIds + 1];
  unsigned waitv_count_ = 0;
  bool spin_ = false;       // spin before sleeping on a protected call
  bool idle_spin_ = false;  // spin before sleeping while idle (not when pinned with other PDs)
  bool init_reported_ = false;
  sdk::CallFailure last_failure_ = sdk::CallFailure::None;
  // What the last delivered event owes a reply to.
  enum class Owed : uint8_t { Nothing, Call, Fault } owed_ = Owed::Nothing;
  PpcSlot* owed_slot_ = nullptr;
  uint32_t owed_seq_ = 0;
  unsigned owed_child_ = 0;
};

}  // namespace corokit::host
