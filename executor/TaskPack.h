#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

#include "executor/Task.h"

// Helpers for the variadic combinators: a pack of tasks and a tuple-like pack of their results
// (<tuple> is not a freestanding header in C++20). Task<void> yields Unit.

namespace corokit::exec {

struct Unit {};

template <class T>
using ResultOf = std::conditional_t<std::is_void_v<T>, Unit, T>;

namespace detail {

template <std::size_t I, class V>
struct Leaf {
  V value;
};

template <class Sequence, class... Vs>
class PackImpl;

template <std::size_t... Is, class... Vs>
class PackImpl<std::index_sequence<Is...>, Vs...> : Leaf<Is, Vs>... {
 public:
  explicit PackImpl(Vs&&... values) : Leaf<Is, Vs>{std::move(values)}... {}

  template <std::size_t I>
  auto& get() & noexcept {
    return leaf<I>(*this);
  }
  template <std::size_t I>
  auto&& get() && noexcept {
    return std::move(leaf<I>(*this));
  }

 private:
  template <std::size_t I, class V>
  static V& leaf(Leaf<I, V>& l) noexcept {
    return l.value;
  }
};

template <class... Vs>
using Pack = PackImpl<std::index_sequence_for<Vs...>, Vs...>;

template <std::size_t I, class T, class... Ts>
struct TypeAt {
  using type = typename TypeAt<I - 1, Ts...>::type;
};
template <class T, class... Ts>
struct TypeAt<0, T, Ts...> {
  using type = T;
};

// A range of tasks: an array of Task<T>, or a container with begin() and end() (e.g. std::vector).
template <class R>
concept TaskRange = std::is_array_v<R> || requires(R& r) {
  r.begin()->handle();
  r.end();
};

template <class R>
bool range_empty(R& range) noexcept {
  for (auto& element : range) {
    (void)element;
    return false;
  }
  return true;
}

// Takes the result of a completed task (rethrowing its exception).
template <class T>
ResultOf<T> take_result(Task<T>& task) {
  if constexpr (std::is_void_v<T>) {
    task.handle().promise().result();
    return Unit{};
  } else {
    return std::move(task.handle().promise()).result();
  }
}

}  // namespace detail

// The results of when_all(a, b, ...): supports `auto [x, y] = co_await when_all(a(), b());`.
template <class... Ts>
class WhenAllResult : public detail::Pack<ResultOf<Ts>...> {
  using Base = detail::Pack<ResultOf<Ts>...>;

 public:
  using Base::Base;
};

}  // namespace corokit::exec

template <class... Ts>
struct std::tuple_size<corokit::exec::WhenAllResult<Ts...>> : std::integral_constant<std::size_t, sizeof...(Ts)> {};

template <std::size_t I, class... Ts>
struct std::tuple_element<I, corokit::exec::WhenAllResult<Ts...>> {
  using type = corokit::exec::ResultOf<typename corokit::exec::detail::TypeAt<I, Ts...>::type>;
};
