#include "system/runtime/NicBackend.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <slirp/libslirp.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace corokit::runtime {
namespace {

std::string errno_text() { return std::strerror(errno); }

Result<uint16_t> parse_port(const std::string& s, const std::string& what) {
  if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) {
    return Error{"--nic: bad " + what + " port '" + s + "'"};
  }
  unsigned long v = std::stoul(s);
  if (v == 0 || v > 65535) return Error{"--nic: bad " + what + " port '" + s + "'"};
  return static_cast<uint16_t>(v);
}

// tcp:[hostaddr]:hostport-[guestaddr]:guestport (QEMU's syntax).
Result<HostForward> parse_forward(const std::string& rule) {
  HostForward f;
  size_t colon = rule.find(':');
  if (colon == std::string::npos) return Error{"--nic: hostfwd '" + rule + "': expected tcp:[ADDR]:PORT-[ADDR]:PORT"};
  std::string proto = rule.substr(0, colon);
  if (proto == "udp") {
    f.udp = true;
  } else if (proto != "tcp" && !proto.empty()) {
    return Error{"--nic: hostfwd '" + rule + "': protocol must be tcp or udp"};
  }
  std::string rest = rule.substr(colon + 1);
  size_t dash = rest.find('-');
  if (dash == std::string::npos) return Error{"--nic: hostfwd '" + rule + "': expected HOST-GUEST"};
  auto split = [&](const std::string& side, std::string& addr, uint16_t& port, const char* what) -> Status {
    size_t c = side.rfind(':');
    if (c == std::string::npos) return Error{"--nic: hostfwd '" + rule + "': expected ADDR:PORT"};
    addr = side.substr(0, c);
    in_addr tmp{};
    if (!addr.empty() && inet_pton(AF_INET, addr.c_str(), &tmp) != 1) {
      return Error{"--nic: hostfwd '" + rule + "': bad " + std::string(what) + " address '" + addr + "'"};
    }
    Result<uint16_t> p = parse_port(side.substr(c + 1), what);
    if (!p) return Error{p.error()};
    port = *p;
    return Ok{};
  };
  if (Status s = split(rest.substr(0, dash), f.host_addr, f.host_port, "host"); !s) return Error{s.error()};
  if (Status s = split(rest.substr(dash + 1), f.guest_addr, f.guest_port, "guest"); !s) return Error{s.error()};
  return f;
}

class TapBackend final : public NicBackend {
 public:
  static Result<std::unique_ptr<NicBackend>> open(const std::string& name) {
    if (name.empty() || name.size() >= IFNAMSIZ) return Error{"--nic tap=NAME: bad interface name '" + name + "'"};
    Fd fd(::open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) return Error{"--nic tap=" + name + ": cannot open /dev/net/tun: " + errno_text()};
    ifreq ifr{};
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    std::memcpy(ifr.ifr_name, name.c_str(), name.size());
    if (ioctl(fd.get(), TUNSETIFF, &ifr) != 0) {
      return Error{"--nic tap=" + name + ": cannot attach to the TAP device: " + errno_text() +
                   (errno == EPERM ? " (needs CAP_NET_ADMIN, or a device owned by this user)" : "")};
    }
    auto b = std::make_unique<TapBackend>();
    b->fd_ = std::move(fd);
    b->name_ = name;
    return std::unique_ptr<NicBackend>(std::move(b));
  }
  int driver_fd() const override { return fd_.get(); }
  std::string description() const override { return "tap:" + name_; }

 private:
  Fd fd_;
  std::string name_;
};

// libslirp in a monitor thread; the driver's end of a SOCK_SEQPACKET socketpair carries frames.
class SlirpBackend final : public NicBackend {
 public:
  ~SlirpBackend() override {
    if (thread_.joinable()) {
      uint64_t one = 1;
      (void)!write(stop_.get(), &one, sizeof one);
      thread_.join();
    }
    if (slirp_ != nullptr) slirp_cleanup(slirp_);
    for (Timer* t : timers_) delete t;
  }

  static Result<std::unique_ptr<NicBackend>> open(const NicSpec& spec, unsigned mtu) {
    auto b = std::make_unique<SlirpBackend>();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0) {
      return Error{"--nic user: socketpair: " + errno_text()};
    }
    b->driver_ = Fd(sv[0]);
    b->ours_ = Fd(sv[1]);
    for (int fd : sv) {
      int size = 4 << 20;
      setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    b->stop_ = Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));

    SlirpConfig cfg{};
    cfg.version = 4;
    cfg.restricted = 0;
    cfg.in_enabled = true;
    inet_pton(AF_INET, "10.0.2.0", &cfg.vnetwork);
    inet_pton(AF_INET, "255.255.255.0", &cfg.vnetmask);
    inet_pton(AF_INET, "10.0.2.2", &cfg.vhost);
    inet_pton(AF_INET, "10.0.2.15", &cfg.vdhcp_start);
    inet_pton(AF_INET, "10.0.2.3", &cfg.vnameserver);
    cfg.in6_enabled = false;
    cfg.vhostname = "corokit";
    cfg.if_mtu = mtu;
    cfg.if_mru = mtu;
    cfg.disable_host_loopback = false;
    cfg.enable_emu = false;
    static const SlirpCb callbacks = {
        &SlirpBackend::send_packet, &SlirpBackend::guest_error, &SlirpBackend::clock_ns, &SlirpBackend::timer_new,
        &SlirpBackend::timer_free, &SlirpBackend::timer_mod, &SlirpBackend::register_fd, &SlirpBackend::unregister_fd,
        &SlirpBackend::notify, nullptr, nullptr,
    };
    b->slirp_ = slirp_new(&cfg, &callbacks, b.get());
    if (b->slirp_ == nullptr) return Error{"--nic user: libslirp could not start"};
    for (const HostForward& f : spec.forwards) {
      in_addr host{}, guest{};
      if (!f.host_addr.empty()) inet_pton(AF_INET, f.host_addr.c_str(), &host);
      inet_pton(AF_INET, f.guest_addr.empty() ? "10.0.2.15" : f.guest_addr.c_str(), &guest);
      if (slirp_add_hostfwd(b->slirp_, f.udp ? 1 : 0, host, f.host_port, guest, f.guest_port) != 0) {
        return Error{"--nic user: cannot forward host port " + std::to_string(f.host_port) + " (" + (f.udp ? "udp" : "tcp") +
                     "): " + errno_text()};
      }
    }
    b->widen_listen_backlogs();
    SlirpBackend* self = b.get();
    b->thread_ = std::thread([self] { self->loop(); });
    return std::unique_ptr<NicBackend>(std::move(b));
  }

  int driver_fd() const override { return driver_.get(); }
  std::string description() const override { return "user"; }

 private:
  struct Timer {
    SlirpTimerCb cb;
    void* opaque;
    int64_t expire_ms = -1;
  };

  static int64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
  }
  static ssize_t send_packet(const void* buf, size_t len, void* opaque) {
    // The guest's receive side is full: drop, as a NIC would (TCP retransmits).
    auto* self = static_cast<SlirpBackend*>(opaque);
    ssize_t n = ::send(self->ours_.get(), buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    return n < 0 ? static_cast<ssize_t>(len) : n;
  }
  static void guest_error(const char*, void*) {}
  static int64_t clock_ns(void*) { return now_ns(); }
  static void* timer_new(SlirpTimerCb cb, void* cb_opaque, void* opaque) {
    auto* self = static_cast<SlirpBackend*>(opaque);
    auto* t = new Timer{cb, cb_opaque};
    self->timers_.push_back(t);
    return t;
  }
  static void timer_free(void* timer, void* opaque) {
    auto* self = static_cast<SlirpBackend*>(opaque);
    auto* t = static_cast<Timer*>(timer);
    std::erase(self->timers_, t);
    delete t;
  }
  static void timer_mod(void* timer, int64_t expire_ms, void*) { static_cast<Timer*>(timer)->expire_ms = expire_ms; }
  static void register_fd(int, void*) {}
  static void unregister_fd(int, void*) {}
  static void notify(void*) {}
  static int add_poll(int fd, int events, void* opaque) {
    auto* self = static_cast<SlirpBackend*>(opaque);
    short e = 0;
    if (events & SLIRP_POLL_IN) e |= POLLIN;
    if (events & SLIRP_POLL_OUT) e |= POLLOUT;
    if (events & SLIRP_POLL_PRI) e |= POLLPRI;
    self->pollfds_.push_back(pollfd{fd, e, 0});
    return static_cast<int>(self->pollfds_.size() - 1);
  }
  static int get_revents(int idx, void* opaque) {
    auto* self = static_cast<SlirpBackend*>(opaque);
    short r = self->pollfds_[static_cast<size_t>(idx)].revents;
    int out = 0;
    if (r & POLLIN) out |= SLIRP_POLL_IN;
    if (r & POLLOUT) out |= SLIRP_POLL_OUT;
    if (r & POLLPRI) out |= SLIRP_POLL_PRI;
    if (r & POLLERR) out |= SLIRP_POLL_ERR;
    if (r & POLLHUP) out |= SLIRP_POLL_HUP;
    return out;
  }

  // libslirp listens for host forwards with a backlog of 1: a burst of connections overflows it
  // and the host retries SYNs for seconds. listen() again on a listening socket only widens its
  // queue, so the forwards take bursts (a server behind them has its own limits).
  void widen_listen_backlogs() {
    pollfds_.clear();
    uint32_t timeout = 0;
    slirp_pollfds_fill(slirp_, &timeout, &SlirpBackend::add_poll, this);
    for (const pollfd& p : pollfds_) {
      int listening = 0;
      socklen_t length = sizeof listening;
      if (getsockopt(p.fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &length) == 0 && listening != 0) {
        ::listen(p.fd, SOMAXCONN);
      }
    }
    pollfds_.clear();
  }

  void loop() {
    static thread_local uint8_t frame[65536];
    for (;;) {
      pollfds_.clear();
      pollfds_.push_back(pollfd{stop_.get(), POLLIN, 0});
      pollfds_.push_back(pollfd{ours_.get(), POLLIN, 0});
      uint32_t timeout = 1000;
      slirp_pollfds_fill(slirp_, &timeout, &SlirpBackend::add_poll, this);
      const int64_t now_ms = now_ns() / 1000000;
      for (Timer* t : timers_) {
        if (t->expire_ms >= 0) timeout = static_cast<uint32_t>(std::min<int64_t>(timeout, std::max<int64_t>(0, t->expire_ms - now_ms)));
      }
      int r = poll(pollfds_.data(), pollfds_.size(), static_cast<int>(timeout));
      if (r > 0 && (pollfds_[0].revents & POLLIN)) return;
      if (r > 0 && (pollfds_[1].revents & POLLIN)) {
        for (int k = 0; k < 256; ++k) {
          ssize_t n = ::recv(ours_.get(), frame, sizeof frame, MSG_DONTWAIT);
          if (n <= 0) break;
          slirp_input(slirp_, frame, static_cast<int>(n));
        }
      }
      slirp_pollfds_poll(slirp_, r < 0, &SlirpBackend::get_revents, this);
      const int64_t after_ms = now_ns() / 1000000;
      for (size_t i = 0; i < timers_.size(); ++i) {
        Timer* t = timers_[i];
        if (t->expire_ms >= 0 && t->expire_ms <= after_ms) {
          t->expire_ms = -1;
          t->cb(t->opaque);
        }
      }
    }
  }

  Fd driver_;
  Fd ours_;
  Fd stop_;
  Slirp* slirp_ = nullptr;
  std::vector<Timer*> timers_;
  std::vector<pollfd> pollfds_;
  std::thread thread_;
};

}  // namespace

Result<NicSpec> parse_nic_option(const std::string& value) {
  NicSpec spec;
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    size_t comma = value.find(',', start);
    parts.push_back(value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts[0].rfind("tap=", 0) == 0) {
    spec.kind = NicSpec::Kind::Tap;
    spec.tap_name = parts[0].substr(4);
    if (spec.tap_name.empty() || spec.tap_name.size() >= IFNAMSIZ) return Error{"--nic tap=NAME: bad interface name"};
    if (parts.size() > 1) return Error{"--nic tap=NAME takes no options"};
    return spec;
  }
  if (parts[0] != "user") return Error{"--nic: expected tap=NAME or user[,hostfwd=...], got '" + value + "'"};
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].rfind("hostfwd=", 0) != 0) return Error{"--nic user: unknown option '" + parts[i] + "'"};
    Result<HostForward> f = parse_forward(parts[i].substr(8));
    if (!f) return Error{f.error()};
    spec.forwards.push_back(*f);
  }
  return spec;
}

Result<std::unique_ptr<NicBackend>> NicBackend::open(const NicSpec& spec, unsigned mtu) {
  if (spec.kind == NicSpec::Kind::Tap) return TapBackend::open(spec.tap_name);
  return SlirpBackend::open(spec, mtu);
}

}  // namespace corokit::runtime
