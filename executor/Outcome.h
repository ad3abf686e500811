#pragma once

#include <utility>

#include "executor/Optional.h"

// How a joined task ended: with its value, or cancelled (its destructors ran, there is no value).
// An exception thrown by the task is rethrown to whoever awaits its JoinHandle instead.

namespace corokit::exec {

template <class T>
class Outcome {
 public:
  static Outcome cancelled() noexcept { return Outcome(); }
  explicit Outcome(T value) noexcept(std::is_nothrow_move_constructible_v<T>) : value_(std::move(value)) {}

  bool has_value() const noexcept { return value_.has_value(); }
  bool is_cancelled() const noexcept { return !value_.has_value(); }
  explicit operator bool() const noexcept { return has_value(); }
  T& value() & noexcept { return value_.value(); }
  const T& value() const& noexcept { return value_.value(); }
  T&& value() && noexcept { return std::move(value_).value(); }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  T&& operator*() && noexcept { return std::move(value_).value(); }
  T* operator->() noexcept { return &value(); }
  const T* operator->() const noexcept { return &value(); }

 private:
  Outcome() noexcept = default;
  Optional<T> value_;
};

template <>
class Outcome<void> {
 public:
  static Outcome cancelled() noexcept { return Outcome(false); }
  static Outcome completed() noexcept { return Outcome(true); }

  bool has_value() const noexcept { return completed_; }
  bool is_cancelled() const noexcept { return !completed_; }
  explicit operator bool() const noexcept { return completed_; }

 private:
  explicit Outcome(bool completed) noexcept : completed_(completed) {}
  bool completed_;
};

}  // namespace corokit::exec
