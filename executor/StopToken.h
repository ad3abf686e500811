#pragma once

#include "executor/TaskRecord.h"

// Single-threaded stop tokens (no atomics, no allocation). A StopSource owns a list of
// StopCallbacks; request_stop() runs each once. Tasks spawned with a token are cancelled when its
// source requests a stop (Executor::spawn(task, token)). A StopSource must outlive the tokens and
// callbacks made from it; destroying it detaches the callbacks that remain.

namespace corokit::exec {

class StopSource;

class StopToken {
 public:
  StopToken() noexcept = default;
  bool stop_possible() const noexcept { return source_ != nullptr; }
  bool stop_requested() const noexcept;

 private:
  friend class StopSource;
  friend class StopCallback;
  explicit StopToken(StopSource* source) noexcept : source_(source) {}
  StopSource* source_ = nullptr;
};

class StopSource {
 public:
  StopSource() noexcept = default;
  ~StopSource();
  StopSource(const StopSource&) = delete;
  StopSource& operator=(const StopSource&) = delete;

  StopToken token() noexcept { return StopToken(this); }
  bool stop_requested() const noexcept { return stopped_; }
  // Runs every registered callback once, in registration order. Later requests do nothing.
  void request_stop() noexcept;

 private:
  friend class StopCallback;
  ListLink head_{&head_, &head_};
  bool stopped_ = false;
};

// Calls `fn(context)` when the token's source requests a stop; at once if it already has.
class StopCallback {
 public:
  using Fn = void (*)(void* context) noexcept;

  StopCallback(StopToken token, Fn fn, void* context) noexcept;
  ~StopCallback() { link_.unlink(); }
  StopCallback(const StopCallback&) = delete;
  StopCallback& operator=(const StopCallback&) = delete;

 private:
  friend class StopSource;
  ListLink link_{};  // first member: the source's list links through it
  Fn fn_;
  void* context_;
};

inline bool StopToken::stop_requested() const noexcept { return source_ != nullptr && source_->stop_requested(); }

}  // namespace corokit::exec
