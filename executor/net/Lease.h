// What keeps lent memory valid while the network stack sends from it (TcpStream::write_borrowed):
// any small move-only object that owns the bytes or holds them in place (an exec::BlockPin, a
// buffer's owner), or a release callback (Lease::on_end). The stack keeps the lease until no
// segment, retransmission or queued frame refers to the bytes any more, then ends it: the object is
// destroyed exactly once, which is the release. Ending must not call back into the network stack.
//
//   std::span<const uint8_t> bytes = pin.bytes();   // before the pin moves into the lease
//   co_await stream.write_borrowed(bytes, std::move(pin));
//   co_await stream.write_borrowed(bytes, net::Lease::on_end(&unref, buffer));
//
// Freestanding, no heap: the object lives inside the lease (up to kCapacity bytes).
#pragma once

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

namespace corokit::net {

class Lease {
 public:
  static constexpr std::size_t kCapacity = 40;
  static constexpr std::size_t kAlignment = alignof(void*);

  Lease() noexcept = default;

  // Takes `owner` over (moved in). Implicit, so a stream's write_borrowed accepts the owner itself.
  template <typename T>
    requires(!std::is_same_v<std::remove_cvref_t<T>, Lease> && !std::is_lvalue_reference_v<T>)
  Lease(T&& owner) noexcept {  // NOLINT(google-explicit-constructor)
    static_assert(sizeof(T) <= kCapacity && alignof(T) <= kAlignment, "corokit net: the lease's owner is too large");
    static_assert(std::is_nothrow_move_constructible_v<T>, "corokit net: the lease's owner must move without throwing");
    ::new (static_cast<void*>(storage_)) T(std::move(owner));
    ops_ = &kOps<T>;
  }

  Lease(Lease&& other) noexcept { take(other); }
  Lease& operator=(Lease&& other) noexcept {
    if (this != &other) {
      end();
      take(other);
    }
    return *this;
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() { end(); }

  // A lease that calls `release(context)` when it ends.
  static Lease on_end(void (*release)(void* context) noexcept, void* context) noexcept {
    return Lease(Callback{release, context});
  }

  bool active() const noexcept { return ops_ != nullptr; }

  // Releases now: destroys the owner (a no-op on an empty lease).
  void end() noexcept {
    if (ops_ == nullptr) return;
    const Ops* ops = ops_;
    ops_ = nullptr;
    ops->destroy(storage_);
  }

 private:
  struct Ops {
    void (*relocate)(void* from, void* to) noexcept;  // move-constructs at `to`, destroys `from`
    void (*destroy)(void* object) noexcept;
  };
  template <typename T>
  static constexpr Ops kOps{
      [](void* from, void* to) noexcept {
        T* source = static_cast<T*>(from);
        ::new (to) T(std::move(*source));
        source->~T();
      },
      [](void* object) noexcept { static_cast<T*>(object)->~T(); },
  };

  struct Callback {
    void (*release)(void*) noexcept;
    void* context;
    Callback(void (*r)(void*) noexcept, void* c) noexcept : release(r), context(c) {}
    Callback(Callback&& other) noexcept : release(other.release), context(other.context) { other.release = nullptr; }
    Callback(const Callback&) = delete;
    ~Callback() {
      if (release != nullptr) release(context);
    }
  };

  void take(Lease& other) noexcept {
    if (other.ops_ == nullptr) return;
    other.ops_->relocate(other.storage_, storage_);
    ops_ = other.ops_;
    other.ops_ = nullptr;
  }

  alignas(kAlignment) unsigned char storage_[kCapacity];
  const Ops* ops_ = nullptr;
};

}  // namespace corokit::net
