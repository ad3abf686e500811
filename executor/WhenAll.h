#pragma once

#include <cstddef>
#include <utility>

#include "executor/TaskGroup.h"
#include "executor/TaskPack.h"

// when_all: runs tasks concurrently on the awaiting task's executor and resumes when all finished.
//
//   auto [a, b] = co_await when_all(fetch(1), fetch(2));   // a pack of tasks: their results
//   co_await when_all(tasks);                              // a range of Task<T> (e.g. an array):
//   int x = co_await tasks[0];                             //   results stay in the tasks
//
// Exceptions are rethrown when a result is taken (the first failing task of a pack, in order).
// If the awaiting task is cancelled, the children still running are destroyed with it.

namespace corokit::exec {

namespace detail {

template <class Range>
class WhenAllRange {
 public:
  explicit WhenAllRange(Range& tasks) noexcept : tasks_(tasks) {}
  WhenAllRange(const WhenAllRange&) = delete;
  ~WhenAllRange() {
    if (parent_ != nullptr) group_.unpark(*parent_);
  }

  bool await_ready() const noexcept { return range_empty(tasks_); }
  template <TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    parent_ = &suspend_point(awaiting);
    for (auto& task : tasks_) group_.start(*parent_->executor, task.handle(), true);
    group_.park(*parent_);
  }
  void await_resume() noexcept { parent_ = nullptr; }

 private:
  Range& tasks_;
  TaskGroup group_;
  TaskRecord* parent_ = nullptr;
};

template <class... Ts>
class WhenAllPack {
 public:
  explicit WhenAllPack(Task<Ts>&&... tasks) noexcept : tasks_(std::move(tasks)...) {}
  WhenAllPack(const WhenAllPack&) = delete;
  ~WhenAllPack() {
    if (parent_ != nullptr) group_.unpark(*parent_);
  }

  bool await_ready() const noexcept { return sizeof...(Ts) == 0; }
  template <TaskPromiseType P>
  void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
    parent_ = &suspend_point(awaiting);
    start_all(std::index_sequence_for<Ts...>{});
    group_.park(*parent_);
  }
  WhenAllResult<Ts...> await_resume() {
    parent_ = nullptr;
    return take_all(std::index_sequence_for<Ts...>{});
  }

 private:
  template <std::size_t... Is>
  void start_all(std::index_sequence<Is...>) noexcept {
    (group_.start(*parent_->executor, tasks_.template get<Is>().handle(), true), ...);
  }
  template <std::size_t... Is>
  WhenAllResult<Ts...> take_all(std::index_sequence<Is...>) {
    return WhenAllResult<Ts...>(take_result(tasks_.template get<Is>())...);
  }

  Pack<Task<Ts>...> tasks_;  // declared before the group: the group goes first
  TaskGroup group_;
  TaskRecord* parent_ = nullptr;
};

}  // namespace detail

template <class... Ts>
[[nodiscard]] detail::WhenAllPack<Ts...> when_all(Task<Ts>... tasks) noexcept {
  return detail::WhenAllPack<Ts...>(std::move(tasks)...);
}

template <detail::TaskRange Range>
[[nodiscard]] detail::WhenAllRange<Range> when_all(Range& tasks) noexcept {
  return detail::WhenAllRange<Range>(tasks);
}

}  // namespace corokit::exec
