// The caller of the protected-call failure tests (R4), through the C++ SDK: reports what each call
// returned and why it failed. Its sequence depends on its name: "timeout_caller" makes a call that
// answers late and then one that answers at once; "crash_caller" makes a call that crashes the
// callee, then (after the monitor may have restarted it) one that answers at once; "stop_caller"
// makes a call during which the callee's parent stops it, then another.
#include <string.h>
#include <time.h>

#include "sdk/Pd.h"

using namespace corokit;

namespace {

void pause_ms(long ms) {
  timespec t{ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&t, nullptr);
}

void report(unsigned n, CallResult r) {
  if (r.ok()) {
    log::print("caller: call ", n, " replied label ", r.reply.label());
  } else {
    bool distinguished = r.reply.label() == (Word{1} << 52) - 1 && r.reply.count() == 0;
    log::print("caller: call ", n, " failed: ", describe(r.failure), distinguished ? " (distinguished reply)" : " (WRONG REPLY)");
  }
}

}  // namespace

struct Caller {
  static constexpr CallChannel server{0};
  void init() {
    bool crash = strcmp(microkit_name, "crash_caller") == 0;
    bool stop = strcmp(microkit_name, "stop_caller") == 0;
    report(1, server.call(MessageInfo(crash ? 3 : stop ? 4 : 1, 0)));
    // Long enough for the monitor to have restarted a crashed callee even on a loaded machine (it
    // once took longer than 200 ms in a full test run on 2 CPUs).
    pause_ms(crash ? 1000 : stop ? 200 : 500);
    report(2, server.call(MessageInfo(2, 0)));
  }
  void notified(Channel) {}
};
COROKIT_PD(Caller);
