#include "executor/StopToken.h"

namespace corokit::exec {

StopSource::~StopSource() {
  while (head_.next != &head_) head_.next->unlink();
}

void StopSource::request_stop() noexcept {
  if (stopped_) return;
  stopped_ = true;
  // Unlink before calling: a callback may destroy other callbacks or itself.
  while (head_.next != &head_) {
    auto* callback = reinterpret_cast<StopCallback*>(head_.next);
    callback->link_.unlink();
    callback->fn_(callback->context_);
  }
}

StopCallback::StopCallback(StopToken token, Fn fn, void* context) noexcept : fn_(fn), context_(context) {
  StopSource* source = token.source_;
  if (source == nullptr) return;
  if (source->stopped_) {
    fn_(context_);
    return;
  }
  link_.prev = source->head_.prev;
  link_.next = &source->head_;
  source->head_.prev->next = &link_;
  source->head_.prev = &link_;
}

}  // namespace corokit::exec
