#include "sdk/TimerClient.h"

#include "sdk/Log.h"
#include "sdk/include/microkit.h"

namespace corokit {

TimerClient::TimerClient(unsigned channel, std::uintptr_t clock_page) noexcept
    : channel_(channel), clock_(reinterpret_cast<const ck_clock_page*>(clock_page)) {}

std::uint64_t TimerClient::now() noexcept { return clock_.ready() ? clock_.now() : get_time(); }

bool TimerClient::call(std::uint64_t label, unsigned count) noexcept {
  ++ppcalls_;
  microkit_msginfo reply = microkit_ppcall(channel_, microkit_msginfo_new(label, static_cast<seL4_Uint16>(count)));
  return microkit_msginfo_get_label(reply) == CK_TIMER_OK;
}

bool TimerClient::set_deadline(std::uint64_t deadline) noexcept {
  microkit_mr_set(0, deadline);
  return call(CK_TIMER_SET_DEADLINE, 1);
}

bool TimerClient::set_timeout(std::uint64_t ns) noexcept {
  microkit_mr_set(0, ns);
  return call(CK_TIMER_SET_TIMEOUT, 1);
}

bool TimerClient::cancel() noexcept { return call(CK_TIMER_CANCEL, 0); }

std::uint64_t TimerClient::get_time() noexcept {
  ++ppcalls_;
  microkit_msginfo reply = microkit_ppcall(channel_, microkit_msginfo_new(CK_TIMER_GET_TIME, 0));
  if (microkit_msginfo_get_label(reply) != CK_TIMER_OK || microkit_msginfo_get_count(reply) < 1) return 0;
  return microkit_mr_get(0);
}

bool TimerClient::info(Info& out) noexcept {
  ++ppcalls_;
  microkit_msginfo reply = microkit_ppcall(channel_, microkit_msginfo_new(CK_TIMER_GET_INFO, 0));
  if (microkit_msginfo_get_label(reply) != CK_TIMER_OK || microkit_msginfo_get_count(reply) < 2) return false;
  out.version = microkit_mr_get(0);
  out.resolution_ns = microkit_mr_get(1);
  return true;
}

bool TimerClient::check_version() noexcept {
  Info i;
  if (!info(i)) {
    log::error("timer driver on channel ", channel_, " does not answer GET_INFO");
    return false;
  }
  if (i.version != CK_TIMER_PROTOCOL_VERSION) {
    log::error("timer driver on channel ", channel_, " speaks protocol version ", i.version, ", expected ",
               CK_TIMER_PROTOCOL_VERSION);
    return false;
  }
  return true;
}

}  // namespace corokit
