// The SDK side of the start-up check (sdk/include/corokit_bindings.h), in-process: what it compares,
// what it skips, what it prints, and that the event loop stops a PD before init() on a mismatch.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "sdk/EventLoop.h"
#include "sdk/Kernel.h"
#include "sdk/include/corokit_bindings.h"
#include "sdk/include/microkit.h"

namespace {

using corokit::sdk::Word;

// Records console output; the check needs nothing else.
class ConsoleKernel final : public corokit::sdk::Kernel {
 public:
  std::string console;
  Word mrs[120] = {};
  Word* message_registers() override { return mrs; }
  void notify(unsigned) override {}
  void irq_ack(unsigned) override {}
  Word ppcall(unsigned, Word) override { return 0; }
  corokit::sdk::Event wait(const corokit::sdk::WaitRequest&) override { return {}; }
  bool child_control(corokit::sdk::ChildOp, unsigned, Word) override { return false; }
  void console_write(const char* text, size_t n) override { console.append(text, n); }
  bool checked() const override { return false; }
};

bool g_init_ran = false;

}  // namespace

extern "C" {
void init(void) { g_init_ran = true; }
void notified(microkit_channel) {}
}

namespace {

uint64_t g_vaddr_symbol = 0x2000000;
uint64_t g_size_symbol = 0x1000;

TEST(BindingsCheck, ComparesMasksAndSetvarsOfEveryRegisteredRecord) {
  ConsoleKernel k;
  corokit::sdk::set_kernel(&k);
  std::snprintf(microkit_name, sizeof microkit_name, "app");
  microkit_irqs = 0;
  microkit_notifications = 0x3;
  microkit_pps = 0x1;
  microkit_ioports = 0;

  EXPECT_TRUE(corokit_bindings_check()) << "nothing registered";

  static const corokit_setvar_check good_setvars[] = {{"vaddr", &g_vaddr_symbol, 0x2000000}};
  static corokit_bindings good{nullptr, "app", "a.system", 0, 0x3, 0x1, 0, good_setvars, 1};
  corokit_bindings_register(&good);
  corokit_bindings_register(&good);
  EXPECT_TRUE(corokit_bindings_check());
  EXPECT_EQ(k.console, "");

  // A symbol the PD does not define (a C header's weak reference resolved to null) is skipped.
  static const corokit_setvar_check stale_setvars[] = {
      {"absent", nullptr, 5}, {"vaddr", &g_vaddr_symbol, 0x2100000}, {"size", &g_size_symbol, 0x1000}};
  static corokit_bindings stale{nullptr, "app", "b.system", 0, 0x5, 0x1, 0, stale_setvars, 3};
  corokit_bindings_register(&stale);
  EXPECT_FALSE(corokit_bindings_check());
  EXPECT_EQ(k.console,
            "app: stale generated bindings (PD 'app' from 'b.system'): microkit_notifications is 0x3, the header "
            "expects 0x5\n"
            "app: stale generated bindings (PD 'app' from 'b.system'): setvar 'vaddr' is 0x2000000, the header "
            "expects 0x2100000\n"
            "app: regenerate the bindings (corokit gen), rebuild the PD and pack the system again\n");

  // The event loop checks before init() and stops the PD.
  EXPECT_DEATH(
      {
        corokit::sdk::LoopState state;
        corokit::sdk::start_loop(k, state, false, 0);
      },
      "");
  EXPECT_FALSE(g_init_ran);

  // Every record is compared: matching the second one makes the first differ.
  microkit_notifications = 0x5;
  g_vaddr_symbol = 0x2100000;
  k.console.clear();
  EXPECT_FALSE(corokit_bindings_check()) << "the first record now differs";
  EXPECT_NE(k.console.find("PD 'app' from 'a.system'"), std::string::npos) << k.console;
}

}  // namespace
