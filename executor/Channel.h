#pragma once

#include <cstddef>
#include <new>
#include <utility>

#include "executor/Optional.h"
#include "executor/WaitQueue.h"

// A bounded FIFO channel between tasks of one PD, with its storage inline (no allocation).
//
//   Channel<Request, 16> requests;
//   co_await requests.send(r);                 // false once the channel is closed
//   Optional<Request> r = co_await requests.receive();   // empty once closed and drained
//
// Senders wait while the channel is full, receivers while it is empty, both in FIFO order. Values
// are never lost to cancellation: a waiting sender's value moves into the buffer only when its
// send completes, and an item promised to a woken receiver that is cancelled goes to the next one.

namespace corokit::exec {

template <class T, std::size_t Capacity>
class Channel {
  static_assert(Capacity > 0, "a Channel needs room for at least one value");

 public:
  Channel() noexcept = default;
  ~Channel() {
    if (!senders_.empty() || !receivers_.empty()) panic("corokit executor: Channel destroyed while tasks wait on it");
    while (count_ > 0) pop();
  }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  std::size_t size() const noexcept { return count_; }
  static constexpr std::size_t capacity() noexcept { return Capacity; }
  bool closed() const noexcept { return closed_; }

  // Fails when full or closed; the value is then left untouched.
  bool try_send(T& value) noexcept { return try_send_impl(value); }
  bool try_send(T&& value) noexcept { return try_send_impl(value); }
  Optional<T> try_receive() noexcept {
    if (count_ <= reserved_) return {};
    return take();
  }
  // Wakes every waiter: senders fail, receivers drain what is buffered, then get nothing.
  void close() noexcept {
    closed_ = true;
    senders_.wake_all();
    receivers_.wake_all();
  }

  class SendAwaiter : Waiter {
   public:
    SendAwaiter(Channel& channel, T&& value) noexcept : channel_(channel), value_(std::move(value)) {}
    SendAwaiter(const SendAwaiter&) = delete;
    ~SendAwaiter() { channel_.senders_.remove(*this); }

    bool await_ready() noexcept {
      if (channel_.closed_) return true;
      if (channel_.count_ < Capacity && channel_.senders_.empty()) {
        channel_.push(std::move(value_));
        sent_ = true;
        return true;
      }
      return false;
    }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      task = &detail::suspend_point(awaiting);
      channel_.senders_.push_back(*this);
    }
    bool await_resume() noexcept { return sent_; }

   private:
    friend class Channel;
    Channel& channel_;
    T value_;
    bool sent_ = false;
  };

  class ReceiveAwaiter : Waiter {
   public:
    explicit ReceiveAwaiter(Channel& channel) noexcept : channel_(channel) {}
    ReceiveAwaiter(const ReceiveAwaiter&) = delete;
    ~ReceiveAwaiter() {
      channel_.receivers_.remove(*this);
      if (reserved_) {  // woken for an item but cancelled before taking it: pass it on
        --channel_.reserved_;
        channel_.offer_to_receiver();
      }
    }

    bool await_ready() noexcept { return channel_.count_ > channel_.reserved_ || channel_.closed_; }
    template <detail::TaskPromiseType P>
    void await_suspend(std::coroutine_handle<P> awaiting) noexcept {
      task = &detail::suspend_point(awaiting);
      channel_.receivers_.push_back(*this);
    }
    Optional<T> await_resume() noexcept {
      if (reserved_) {
        reserved_ = false;
        --channel_.reserved_;
      } else if (channel_.count_ <= channel_.reserved_) {
        return {};  // closed and drained
      }
      return channel_.take();
    }

   private:
    friend class Channel;
    Channel& channel_;
    bool reserved_ = false;
  };

  SendAwaiter send(T value) noexcept { return SendAwaiter(*this, std::move(value)); }
  ReceiveAwaiter receive() noexcept { return ReceiveAwaiter(*this); }

 private:
  bool try_send_impl(T& value) noexcept {
    if (closed_ || count_ == Capacity || !senders_.empty()) return false;
    push(std::move(value));
    return true;
  }

  T* slot(std::size_t index) noexcept { return std::launder(reinterpret_cast<T*>(storage_ + index * sizeof(T))); }

  void push(T&& value) noexcept {
    ::new (static_cast<void*>(storage_ + ((head_ + count_) % Capacity) * sizeof(T))) T(std::move(value));
    ++count_;
    offer_to_receiver();
  }
  T pop() noexcept {
    T* front = slot(head_);
    T value(std::move(*front));
    front->~T();
    head_ = (head_ + 1) % Capacity;
    --count_;
    return value;
  }
  // Takes the front item and lets the first waiting sender fill the freed slot.
  T take() noexcept {
    T value = pop();
    if (auto* sender = static_cast<SendAwaiter*>(senders_.pop_front())) {
      push(std::move(sender->value_));
      sender->sent_ = true;
      sender->wake();
    }
    return value;
  }
  // Promises an unreserved item to the first waiting receiver.
  void offer_to_receiver() noexcept {
    if (count_ <= reserved_) return;
    if (auto* receiver = static_cast<ReceiveAwaiter*>(receivers_.pop_front())) {
      receiver->reserved_ = true;
      ++reserved_;
      receiver->wake();
    }
  }

  alignas(T) unsigned char storage_[Capacity * sizeof(T)];
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t reserved_ = 0;  // items promised to woken receivers
  WaitQueue senders_;
  WaitQueue receivers_;
  bool closed_ = false;
};

}  // namespace corokit::exec
