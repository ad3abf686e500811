#include "pds/block/UringBackend.h"

#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

namespace corokit::block {

// Unmaps the ring but leaves its descriptor open: it belongs to whoever handed it over.
UringBackend::~UringBackend() {
  if (image_map_ != nullptr) munmap(const_cast<uint8_t*>(image_map_), image_bytes_);
  if (!attached_) return;
  munmap(ring_.sq.sqes, ring_.sq.ring_entries * sizeof(io_uring_sqe));
  if (ring_.cq.ring_ptr != nullptr && ring_.cq.ring_ptr != ring_.sq.ring_ptr) munmap(ring_.cq.ring_ptr, ring_.cq.ring_sz);
  munmap(ring_.sq.ring_ptr, ring_.sq.ring_sz);
}

const char* UringBackend::attach(int ring_fd, const io_uring_params& params, uint32_t fixed_file) noexcept {
  io_uring_params p = params;
  if (io_uring_queue_mmap(ring_fd, &p, &ring_) != 0) return "cannot map the device's io_uring";
  attached_ = true;
  fixed_file_ = fixed_file;
  // liburing fills the submission queue's index array only when it set the ring up itself: map
  // slot i to SQE i, as io_uring_queue_init does.
  for (unsigned i = 0; i < ring_.sq.ring_entries; ++i) ring_.sq.array[i] = i;
  // A ring used before (a restarted driver): continue after what the kernel has seen, and drop
  // completions that belong to the previous incarnation.
  const unsigned tail = std::atomic_ref<unsigned>(*ring_.sq.ktail).load(std::memory_order_acquire);
  ring_.sq.sqe_head = ring_.sq.sqe_tail = tail;
  io_uring_cq_advance(&ring_, io_uring_cq_ready(&ring_));
  uint32_t tag = 0;
  if (getrandom(&tag, sizeof tag, 0) != sizeof tag) {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    tag = static_cast<uint32_t>(ts.tv_nsec) ^ static_cast<uint32_t>(ts.tv_sec);
  }
  instance_ = tag;
  max_in_flight_ = p.cq_entries < kSlots ? p.cq_entries : kSlots;
  free_count_ = 0;
  for (uint32_t i = max_in_flight_; i-- > 0;) free_[free_count_++] = static_cast<uint16_t>(i);
  return nullptr;
}

const char* UringBackend::register_buffers(const DmaView& dma) noexcept {
  if (!attached_) return "no ring";
  iovec vecs[DmaView::kMaxWindows];
  const unsigned n = dma.count();
  for (unsigned i = 0; i < n; ++i) vecs[i] = iovec{dma.base(i), static_cast<size_t>(dma.size(i))};
  registered_count_ = 0;
  (void)io_uring_unregister_buffers(&ring_);  // an earlier incarnation's; ENXIO when there are none
  if (n == 0) return nullptr;
  const int r = io_uring_register_buffers(&ring_, vecs, n);
  if (r < 0) {
    switch (-r) {
      case ENOMEM:
        return "not enough lockable memory (RLIMIT_MEMLOCK)";
      case EACCES:
        return "the ring refuses buffer registration";
      default:
        return "io_uring_register_buffers failed";
    }
  }
  for (unsigned i = 0; i < n; ++i) registered_[i] = Registered{dma.base(i), dma.size(i)};
  registered_count_ = n;
  return nullptr;
}

// No MAP_POPULATE: it would read the whole image in. A page is mapped at its first copy (the
// kernel maps its cached neighbours along with it), and stays mapped until the host reclaims it.
const char* UringBackend::map_image(uint64_t bytes) noexcept {
  if (image_fd_ < 0) return "the image has no descriptor (direct)";
  if (bytes == 0) return "the image is empty";
  void* m = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, image_fd_, 0);
  if (m == MAP_FAILED) return "mmap of the image failed";
  image_map_ = static_cast<const uint8_t*>(m);
  image_bytes_ = bytes;
  return nullptr;
}

int32_t UringBackend::read_now(IoOp& op) noexcept {
  if (image_fd_ < 0) return kLater;
  // Mapped: no system call, but no RWF_NOWAIT either. A page the host evicted faults and the
  // driver waits for the disk (docs/block.md, option read-mapped).
  if (image_map_ != nullptr && op.offset <= image_bytes_ && op.length <= image_bytes_ - op.offset) {
    __builtin_memcpy(op.buffer, image_map_ + op.offset, op.length);
    ++stats_.reads_now;
    return static_cast<int32_t>(op.length);
  }
  iovec vec{op.buffer, op.length};
  const ssize_t r = preadv2(image_fd_, &vec, 1, static_cast<off_t>(op.offset), RWF_NOWAIT);
  if (r < 0) {
    if (errno == EAGAIN) ++stats_.read_misses;
    return kLater;  // would wait, or any other trouble: the ring does it (and reports its error)
  }
  ++stats_.reads_now;
  return static_cast<int32_t>(r);
}

int32_t UringBackend::write_now(IoOp& op) noexcept {
  if (image_fd_ < 0) return kLater;
  const ssize_t r = pwrite(image_fd_, op.buffer, op.length, static_cast<off_t>(op.offset));
  if (r < 0) return errno == EINTR || errno == EAGAIN ? kLater : -errno;
  ++stats_.writes_now;
  return static_cast<int32_t>(r);
}

void UringBackend::start(IoOp& op) noexcept {
  io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
  if (sqe == nullptr) {  // the submission queue is full: hand it over, then there is room
    submit();
    sqe = io_uring_get_sqe(&ring_);
  }
  if (sqe == nullptr || free_count_ == 0) {
    op.complete(-EBUSY);
    return;
  }
  const uint16_t slot = free_[--free_count_];
  slots_[slot] = &op;
  op.slot = slot;
  const int file = static_cast<int>(fixed_file_);
  int buffer = -1;  // the registered buffer holding a read, if any (see the header for writes)
  if (op.kind == IoKind::Read) {
    const auto* at = static_cast<const uint8_t*>(op.buffer);
    for (unsigned i = 0; i < registered_count_; ++i) {
      const Registered& r = registered_[i];
      if (at >= r.base && op.length <= r.size && static_cast<uint64_t>(at - r.base) <= r.size - op.length) {
        buffer = static_cast<int>(i);
        break;
      }
    }
    if (buffer >= 0) ++stats_.fixed;
  }
  switch (op.kind) {
    case IoKind::Read:
      if (buffer >= 0) {
        io_uring_prep_read_fixed(sqe, file, op.buffer, op.length, op.offset, buffer);
      } else {
        io_uring_prep_read(sqe, file, op.buffer, op.length, op.offset);
      }
      break;
    case IoKind::Write:
      io_uring_prep_write(sqe, file, op.buffer, op.length, op.offset);
      break;
    case IoKind::Flush:
      io_uring_prep_fsync(sqe, file, IORING_FSYNC_DATASYNC);
      break;
  }
  sqe->flags |= IOSQE_FIXED_FILE;
  io_uring_sqe_set_data64(sqe, instance_ << 32 | static_cast<uint64_t>(generations_[slot]) << 16 | slot);
  ++in_flight_;
}

void UringBackend::submit() noexcept {
  for (int attempt = 0; attempt < 64 && io_uring_sq_ready(&ring_) != 0; ++attempt) {
    const int r = io_uring_submit(&ring_);
    if (r > 0) {
      ++stats_.enters;
      stats_.submitted += static_cast<uint64_t>(r);
      continue;
    }
    if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
      ++stats_.submit_errors;
      return;
    }
    reap();  // make room in the completion queue, then retry
  }
}

uint32_t UringBackend::reap() noexcept {
  unsigned head;
  unsigned seen = 0;
  uint32_t completed = 0;
  io_uring_cqe* cqe;
  io_uring_for_each_cqe(&ring_, head, cqe) {
    ++seen;
    const uint64_t data = cqe->user_data;
    const uint32_t slot = data & 0xffff;
    const uint16_t generation = static_cast<uint16_t>(data >> 16);
    if ((data >> 32) != instance_ || slot >= max_in_flight_ || slots_[slot] == nullptr ||
        generations_[slot] != generation) {
      ++stats_.stale;
      continue;
    }
    IoOp* op = slots_[slot];
    slots_[slot] = nullptr;
    ++generations_[slot];
    free_[free_count_++] = static_cast<uint16_t>(slot);
    --in_flight_;
    ++completed;
    op->complete(cqe->res);
  }
  io_uring_cq_advance(&ring_, seen);
  stats_.completions += completed;
  return completed;
}

}  // namespace corokit::block
