#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "executor/Panic.h"

// A minimal optional for the freestanding core (<optional> is not a freestanding header in C++20).

namespace corokit::exec {

template <class T>
class Optional {
 public:
  Optional() noexcept {}
  Optional(T value) noexcept(std::is_nothrow_move_constructible_v<T>) { emplace(std::move(value)); }
  Optional(Optional&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (other.engaged_) emplace(std::move(other.value_));
  }
  Optional& operator=(Optional&& other) noexcept(std::is_nothrow_move_constructible_v<T>) {
    if (this != &other) {
      reset();
      if (other.engaged_) emplace(std::move(other.value_));
    }
    return *this;
  }
  ~Optional() { reset(); }

  template <class... Args>
  T& emplace(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args&&...>) {
    reset();
    ::new (static_cast<void*>(&value_)) T(std::forward<Args>(args)...);
    engaged_ = true;
    return value_;
  }
  void reset() noexcept {
    if (engaged_) {
      value_.~T();
      engaged_ = false;
    }
  }

  bool has_value() const noexcept { return engaged_; }
  explicit operator bool() const noexcept { return engaged_; }
  T& value() & noexcept { return checked(), value_; }
  const T& value() const& noexcept { return checked(), value_; }
  T&& value() && noexcept { return checked(), std::move(value_); }
  T& operator*() & noexcept { return value(); }
  const T& operator*() const& noexcept { return value(); }
  T* operator->() noexcept { return &value(); }
  const T* operator->() const noexcept { return &value(); }

 private:
  void checked() const noexcept {
    if (!engaged_) panic("corokit executor: value() of an empty Optional");
  }

  union {
    T value_;
  };
  bool engaged_ = false;
};

}  // namespace corokit::exec
