#pragma once

#include <cstddef>
#include <utility>

#include "executor/TaskGroup.h"
#include "executor/TaskPack.h"

// when_any: runs tasks concurrently and completes with the first one to complete. The others (the
// losers) are cancelled at their suspension points and destroyed before the awaiting task resumes,
// so nothing they reference is used after when_any returns.
//
//   auto [index, value] = co_await when_any(read_a(), read_b());   // tasks of one result type
//   std::size_t winner = co_await when_any(tasks);                 // a range: the winner's index;
//   auto value = co_await tasks[winner];                           //   its result stays in it
//
// The winner's exception, if it threw, is rethrown when its result is taken. An empty set panics.

namespace corokit::exec {

template <class T>
struct WhenAnyResult {
  std::size_t index;
  ResultOf<T> value;
};

namespace detail {

template <class Range>
class WhenAnyRange {
 public:
  explicit WhenAnyRange(Range& tasks) noexcept : tasks_(tasks) { group_.cancel_others_on_first_completion(); }
  WhenAnyRange(const WhenAnyRange&) = delete;
  ~WhenAnyRange() {
    if (parent_ != nullptr) group_.unpark(*parent_);
  }

  bool await_ready() const noexcept {
    if (range_empty(tasks_)) panic("corokit executor: when_any of no task");
    return false;
  }
  template <TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    parent_ = &suspend_point(awaiting);
    for (auto& task : tasks_) group_.start(*parent_->executor, task.handle(), true);
    group_.park(*parent_);
  }
  std::size_t await_resume() noexcept {
    parent_ = nullptr;
    std::size_t index = 0;
    for (auto& task : tasks_) {
      if (&record_of_frame(task.handle().address()) == group_.first_completed()) return index;
      ++index;
    }
    panic("corokit executor: when_any finished without a winner");
  }

 private:
  Range& tasks_;
  TaskGroup group_;
  TaskRecord* parent_ = nullptr;
};

template <class T, class... Rest>
class WhenAnyPack {
 public:
  explicit WhenAnyPack(Task<T>&& first, Task<Rest>&&... rest) noexcept : tasks_(std::move(first), std::move(rest)...) {
    group_.cancel_others_on_first_completion();
  }
  WhenAnyPack(const WhenAnyPack&) = delete;
  ~WhenAnyPack() {
    if (parent_ != nullptr) group_.unpark(*parent_);
  }

  bool await_ready() const noexcept { return false; }
  template <TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    parent_ = &suspend_point(awaiting);
    start_all(Indices{});
    group_.park(*parent_);
  }
  WhenAnyResult<T> await_resume() {
    parent_ = nullptr;
    return take_winner(Indices{});
  }

 private:
  using Indices = std::index_sequence_for<T, Rest...>;

  template <std::size_t... Is>
  void start_all(std::index_sequence<Is...>) noexcept {
    (group_.start(*parent_->executor, tasks_.template get<Is>().handle(), true), ...);
  }
  template <std::size_t... Is>
  WhenAnyResult<T> take_winner(std::index_sequence<Is...>) {
    std::size_t winner = sizeof...(Is);
    ((is_winner(tasks_.template get<Is>()) ? (winner = Is, true) : false) || ...);
    if (winner == sizeof...(Is)) panic("corokit executor: when_any finished without a winner");
    Optional<WhenAnyResult<T>> result;
    ((winner == Is ? (result.emplace(WhenAnyResult<T>{Is, take_result(tasks_.template get<Is>())}), true) : false) ||
     ...);
    return std::move(*result);
  }
  bool is_winner(Task<T>& task) const noexcept {
    return &record_of_frame(task.handle().address()) == group_.first_completed();
  }

  Pack<Task<T>, Task<Rest>...> tasks_;  // declared before the group: the group goes first
  TaskGroup group_;
  TaskRecord* parent_ = nullptr;
};

}  // namespace detail

template <class T, class... Rest>
  requires(std::is_same_v<T, Rest> && ...)
[[nodiscard]] detail::WhenAnyPack<T, Rest...> when_any(Task<T> first, Task<Rest>... rest) noexcept {
  return detail::WhenAnyPack<T, Rest...>(std::move(first), std::move(rest)...);
}

template <detail::TaskRange Range>
[[nodiscard]] detail::WhenAnyRange<Range> when_any(Range& tasks) noexcept {
  return detail::WhenAnyRange<Range>(tasks);
}

}  // namespace corokit::exec
