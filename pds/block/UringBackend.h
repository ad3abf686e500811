// The host board's block device for DriverCore: the io_uring the monitor created for the disk
// image (sdk/host/BlockDevice.h), used through liburing. Every submission targets registered file
// `fixed_file` with IOSQE_FIXED_FILE (the ring refuses anything else); FLUSH is IORING_OP_FSYNC with
// IORING_FSYNC_DATASYNC. Completions are matched through a slot table, with the ring's user data
// carrying an instance tag, slot and generation, so completions from a previous incarnation of the
// driver (same ring, after a restart) are recognised and dropped.
//
// The DMA view's regions can be registered with the ring as fixed buffers (register_buffers): a
// read inside one of them is then READ_FIXED, which spares the kernel mapping the buffer's pages
// on every operation (measured on the host page cache: a 1 MiB read ~0.8 x pread's time instead
// of ~1 x). Writes stay WRITE: buffered writes go to an io_uring worker thread either way, and
// there WRITE_FIXED measured ~10 % slower than WRITE.
//
// With the image's own descriptor (attach_image; the monitor hands it to the driver next to the
// ring unless the image is O_DIRECT), transfers can bypass the ring (IoBackend::read_now/write_now):
//   read_now   preadv2(RWF_NOWAIT): the page-cache hit is copied during the call, as io_uring would
//              during submission, for ~0.25 us less per 4 KiB read (measured in the driver: ~0.69 us
//              against ~0.95 us for io_uring_enter); a read that would wait for the disk returns
//              EAGAIN → kLater. With map_image (option read-mapped) a copy from a read-only
//              mapping of the image instead: no system call (0.97-1.13 us against 1.14-1.27 us per
//              depth-1 read through the stack), but a page the host evicted makes the copy wait for
//              the disk, and a reader cannot tell beforehand (mincore costs as much as preadv2).
//   write_now  pwrite: ext4 takes no non-blocking buffered write (pwritev2 RWF_NOWAIT → EOPNOTSUPP),
//              so io_uring hands every write to an io-wq worker thread, and waking it and then the
//              driver costs 1 MiB writes ~2x pwrite's time on this VM. The caller decides when
//              blocking for the copy is acceptable (DriverCore: only when nothing else is in flight).
#pragma once

#include <liburing.h>

#include <cstdint>

#include "pds/block/DmaView.h"
#include "pds/block/IoBackend.h"

namespace corokit::block {

class UringBackend final : public IoBackend {
 public:
  static constexpr uint32_t kSlots = 1024;

  UringBackend() noexcept = default;
  ~UringBackend();
  UringBackend(const UringBackend&) = delete;
  UringBackend& operator=(const UringBackend&) = delete;

  // Maps the ring at `ring_fd`. Returns nullptr, or what went wrong.
  const char* attach(int ring_fd, const io_uring_params& params, uint32_t fixed_file) noexcept;
  // Registers every region of `dma` as a fixed buffer (replacing what an earlier incarnation of
  // the driver registered). Returns nullptr, or why not (transfers then work unregistered).
  const char* register_buffers(const DmaView& dma) noexcept;
  // The image's descriptor for synchronous transfers (see above); -1 to have none.
  void attach_image(int image_fd) noexcept { image_fd_ = image_fd; }
  // Option read-mapped (DriverOptions.h): maps the first `bytes` of the image read-only; read_now
  // then copies from the mapping. nullptr, or why not.
  const char* map_image(uint64_t bytes) noexcept;

  int32_t read_now(IoOp& op) noexcept override;
  int32_t write_now(IoOp& op) noexcept override;

  void start(IoOp& op) noexcept override;
  void submit() noexcept override;
  uint32_t reap() noexcept override;
  uint32_t in_flight() const noexcept override { return in_flight_; }
  uint32_t max_in_flight() const noexcept override { return max_in_flight_; }

  struct Stats {
    uint64_t enters = 0;        // io_uring_enter calls that submitted
    uint64_t submitted = 0;
    uint64_t completions = 0;
    uint64_t stale = 0;         // completions not matching an operation of this instance
    uint64_t submit_errors = 0;
    uint64_t fixed = 0;         // reads into a registered buffer
    uint64_t reads_now = 0;     // reads done by read_now (page-cache hits)
    uint64_t read_misses = 0;   // read_now found the data not at hand (EAGAIN): the ring did them
    uint64_t writes_now = 0;    // writes done by write_now
  };
  const Stats& stats() const noexcept { return stats_; }

 private:
  io_uring ring_{};
  bool attached_ = false;
  uint32_t fixed_file_ = 0;
  int image_fd_ = -1;
  const uint8_t* image_map_ = nullptr;
  uint64_t image_bytes_ = 0;
  struct Registered {
    uint8_t* base;
    uint64_t size;
  };
  Registered registered_[DmaView::kMaxWindows] = {};
  unsigned registered_count_ = 0;
  uint32_t max_in_flight_ = 0;
  uint32_t in_flight_ = 0;
  uint64_t instance_ = 0;
  IoOp* slots_[kSlots] = {};
  uint16_t generations_[kSlots] = {};
  uint16_t free_[kSlots] = {};
  uint32_t free_count_ = 0;
  Stats stats_;
};

}  // namespace corokit::block
