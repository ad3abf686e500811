// The backend of a host-board block device (HOST_BOARD.md): a disk image file attached with
// `corokit run --disk PATH[,readonly]...`, driven by its driver PD through an io_uring that the
// monitor creates and restricts (sdk/host/BlockDevice.h describes what the driver sees).
//
// Why the monitor owns the ring: io_uring operations bypass seccomp, so a ring the driver set up
// itself could open files or sockets. The monitor creates it disabled, registers the image as fixed
// file 0, allows only READ/WRITE/FSYNC/NOP with IOSQE_FIXED_FILE required (no WRITE on a read-only
// disk), and enables it; the driver can reach nothing but the image. The ring descriptor is also the
// IRQ source: it polls readable while completions wait in its completion queue, which is exactly the
// board's level-triggered semantics.
#pragma once

#include <linux/io_uring.h>

#include <cstdint>
#include <string>

#include "system/runtime/RunOptions.h"
#include "system/runtime/SharedObject.h"
#include "system/support/Result.h"

namespace corokit::runtime {

inline constexpr unsigned kDiskRingEntries = 256;  // submission queue; completion queue is twice that

// A read-only view of a ring's indices, for the monitor's idle detection.
class RingView {
 public:
  RingView() = default;
  RingView(RingView&& o) noexcept;
  RingView& operator=(RingView&& o) noexcept;
  ~RingView();
  RingView(const RingView&) = delete;
  RingView& operator=(const RingView&) = delete;

  Status map(int ring_fd, const io_uring_params& params);
  // Operations submitted but not completed, or completions the driver has not reaped.
  bool busy() const;

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
  const uint32_t* sq_head_ = nullptr;
  const uint32_t* cq_head_ = nullptr;
  const uint32_t* cq_tail_ = nullptr;
};

struct Disk {
  DiskOption option;
  Fd image;  // registered in the ring
  Fd lock;   // a second open file description holding the image's lock for the run
  Fd ring;   // handed to the driver; the monitor watches it for completions
  io_uring_params params{};
  uint64_t size_bytes = 0;
  RingView view;
};

// Opens and locks the image (exclusive, or shared when read-only: two runs never write one image),
// and creates the restricted ring. Errors name the device ("block0: ...").
Result<Disk> attach_disk(const DiskOption& option, uint32_t index);

// Fills the block registers of the device's information page (sdk/host/BlockDevice.h); `ring_fd` is
// the descriptor number the driver finds the ring at.
void fill_block_registers(const Disk& disk, void* info_page);

// The DeviceInfo backend string: "file:PATH" plus ",readonly" / ",direct".
std::string disk_backend_name(const DiskOption& option);

// Whether io_uring can be set up in this process at all (tests skip with this reason when not).
// Empty when it can; otherwise why not.
std::string io_uring_unavailable_reason();

}  // namespace corokit::runtime
