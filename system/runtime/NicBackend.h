// The host side of a host-board NIC (HOST_BOARD.md): what `corokit run --nic ...` attaches.
//
//   --nic tap=NAME     an existing TAP device (created by the user or a test, e.g. `ip tuntap add`),
//                      opened with TUNSETIFF IFF_TAP|IFF_NO_PI; needs CAP_NET_ADMIN or ownership.
//   --nic user[,hostfwd=tcp:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT ...]
//                      libslirp user-mode networking, no privileges: 10.0.2.0/24, gateway 10.0.2.2,
//                      DHCP from 10.0.2.15, DNS 10.0.2.3; host ports forwarded to the guest.
//
// Either way the driver PD gets one datagram descriptor: read() returns exactly one frame (and its
// length), write() sends one frame. TAP: the TAP descriptor itself (one kernel copy per frame).
// user: one end of a SOCK_SEQPACKET socketpair whose other end a monitor thread running slirp
// serves (one kernel copy per frame and direction, plus slirp's own work); slirp never runs inside
// a PD, so the PD needs no socket system calls. docs/net.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "system/runtime/SharedObject.h"
#include "system/support/Result.h"

namespace corokit::runtime {

struct HostForward {
  bool udp = false;
  std::string host_addr;   // empty: any
  uint16_t host_port = 0;
  std::string guest_addr;  // empty: the first DHCP address, 10.0.2.15
  uint16_t guest_port = 0;
};

struct NicSpec {
  enum class Kind { Tap, User } kind = Kind::User;
  std::string tap_name;
  std::vector<HostForward> forwards;
};

// Parses the value of one --nic option.
Result<NicSpec> parse_nic_option(const std::string& value);

class NicBackend {
 public:
  virtual ~NicBackend() = default;
  // Opens the backend; `mtu` is the interface MTU (slirp's if_mtu).
  static Result<std::unique_ptr<NicBackend>> open(const NicSpec& spec, unsigned mtu);

  // The descriptor handed to the driver (non-blocking, one frame per read/write).
  virtual int driver_fd() const = 0;
  // A short description for the information page ("tap:tap0", "user").
  virtual std::string description() const = 0;
};

}  // namespace corokit::runtime
