#include "system/runtime/DiskBackend.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <atomic>
#include <cstring>
#include <utility>
#include <vector>

#include "sdk/host/BlockDevice.h"
#include "sdk/protocol/Block.h"

namespace corokit::runtime {
namespace {

int ring_setup(unsigned entries, io_uring_params* p) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, p));
}
int ring_register(int fd, unsigned op, const void* arg, unsigned nr) {
  return static_cast<int>(syscall(__NR_io_uring_register, fd, op, arg, nr));
}

std::string errno_text() { return std::strerror(errno); }

std::string unavailable_text(int err) {
  return std::string("io_uring is not available on this host (io_uring_setup: ") + std::strerror(err) +
         "); the host block driver needs it: check /proc/sys/kernel/io_uring_disabled and the "
         "seccomp profile of any container this runs in";
}

}  // namespace

RingView::RingView(RingView&& o) noexcept { *this = std::move(o); }

RingView& RingView::operator=(RingView&& o) noexcept {
  if (this != &o) {
    if (base_ != nullptr) munmap(base_, size_);
    base_ = std::exchange(o.base_, nullptr);
    size_ = std::exchange(o.size_, 0);
    sq_head_ = std::exchange(o.sq_head_, nullptr);
    cq_head_ = std::exchange(o.cq_head_, nullptr);
    cq_tail_ = std::exchange(o.cq_tail_, nullptr);
  }
  return *this;
}

RingView::~RingView() {
  if (base_ != nullptr) munmap(base_, size_);
}

Status RingView::map(int ring_fd, const io_uring_params& p) {
  if ((p.features & IORING_FEAT_SINGLE_MMAP) == 0) return Error{"io_uring without IORING_FEAT_SINGLE_MMAP"};
  size_t sq = p.sq_off.array + p.sq_entries * sizeof(uint32_t);
  size_t cq = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  size_ = sq > cq ? sq : cq;
  void* base = mmap(nullptr, size_, PROT_READ, MAP_SHARED, ring_fd, IORING_OFF_SQ_RING);
  if (base == MAP_FAILED) return Error{"cannot map the io_uring: " + errno_text()};
  base_ = base;
  auto at = [&](uint32_t off) { return reinterpret_cast<const uint32_t*>(static_cast<const char*>(base) + off); };
  sq_head_ = at(p.sq_off.head);
  cq_head_ = at(p.cq_off.head);
  cq_tail_ = at(p.cq_off.tail);
  return Ok{};
}

bool RingView::busy() const {
  if (base_ == nullptr) return false;
  auto load = [](const uint32_t* p) {
    return std::atomic_ref<uint32_t>(const_cast<uint32_t&>(*p)).load(std::memory_order_acquire);
  };
  uint32_t cq_tail = load(cq_tail_);
  return load(sq_head_) != cq_tail || load(cq_head_) != cq_tail;
}

std::string io_uring_unavailable_reason() {
  io_uring_params p{};
  int fd = ring_setup(4, &p);
  if (fd < 0) return unavailable_text(errno);
  close(fd);
  return {};
}

std::string disk_backend_name(const DiskOption& option) {
  std::string name = "file:" + option.path;
  if (option.read_only) name += ",readonly";
  if (option.direct) name += ",direct";
  return name;
}

Result<Disk> attach_disk(const DiskOption& option, uint32_t index) {
  const std::string dev = "block" + std::to_string(index) + ": ";
  Disk d;
  d.option = option;
  int flags = (option.read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC | (option.direct ? O_DIRECT : 0);
  d.image = Fd(open(option.path.c_str(), flags));
  if (!d.image.valid()) {
    if (errno == EINVAL && option.direct) {
      return Error{dev + "cannot open disk image '" + option.path + "' with O_DIRECT: its file system does not support it"};
    }
    return Error{dev + "cannot open disk image '" + option.path + "': " + errno_text()};
  }
  struct stat st {};
  if (fstat(d.image.get(), &st) != 0) return Error{dev + "cannot stat '" + option.path + "': " + errno_text()};
  if (S_ISREG(st.st_mode)) {
    d.size_bytes = static_cast<uint64_t>(st.st_size);
  } else if (S_ISBLK(st.st_mode)) {
    if (ioctl(d.image.get(), BLKGETSIZE64, &d.size_bytes) != 0) {
      return Error{dev + "cannot read the size of '" + option.path + "': " + errno_text()};
    }
  } else {
    return Error{dev + "'" + option.path + "' is not a regular file or a block device"};
  }

  // The lock lives on its own open file description, which only the monitor holds: it goes away
  // with the monitor even while the ring (which keeps the image open) is still being torn down.
  d.lock = Fd(open(option.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!d.lock.valid() || flock(d.lock.get(), (option.read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return Error{dev + "disk image '" + option.path + "' is in use by another process (locked)"};
    return Error{dev + "cannot lock disk image '" + option.path + "': " + errno_text()};
  }

  d.params.flags = IORING_SETUP_R_DISABLED | IORING_SETUP_CQSIZE;
  d.params.cq_entries = 2 * kDiskRingEntries;
  int ring = ring_setup(kDiskRingEntries, &d.params);
  if (ring < 0) return Error{dev + unavailable_text(errno)};
  d.ring = Fd(ring);

  const int files[1] = {d.image.get()};
  if (ring_register(ring, IORING_REGISTER_FILES, files, 1) != 0) {
    return Error{dev + "cannot register the disk image with io_uring: " + errno_text()};
  }
  std::vector<io_uring_restriction> rules;
  auto op = [&](uint8_t opcode) {
    io_uring_restriction r{};
    r.opcode = IORING_RESTRICTION_SQE_OP;
    r.sqe_op = opcode;
    rules.push_back(r);
  };
  op(IORING_OP_NOP);
  op(IORING_OP_READ);
  op(IORING_OP_READ_FIXED);
  op(IORING_OP_FSYNC);
  if (!option.read_only) {
    op(IORING_OP_WRITE);
    op(IORING_OP_WRITE_FIXED);
  }
  io_uring_restriction allowed{};
  allowed.opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
  allowed.sqe_flags = IOSQE_IO_DRAIN;
  rules.push_back(allowed);
  io_uring_restriction required{};
  required.opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
  required.sqe_flags = IOSQE_FIXED_FILE;
  rules.push_back(required);
  for (uint8_t reg : {uint8_t{IORING_REGISTER_BUFFERS}, uint8_t{IORING_UNREGISTER_BUFFERS}}) {
    io_uring_restriction r{};
    r.opcode = IORING_RESTRICTION_REGISTER_OP;
    r.register_op = reg;
    rules.push_back(r);
  }
  if (ring_register(ring, IORING_REGISTER_RESTRICTIONS, rules.data(), static_cast<unsigned>(rules.size())) != 0) {
    return Error{dev + "cannot restrict the io_uring: " + errno_text()};
  }
  if (ring_register(ring, IORING_REGISTER_ENABLE_RINGS, nullptr, 0) != 0) {
    return Error{dev + "cannot enable the io_uring: " + errno_text()};
  }
  if (Status st = d.view.map(ring, d.params); !st) return Error{dev + st.error()};
  return d;
}

void fill_block_registers(const Disk& disk, void* info_page) {
  auto* r = reinterpret_cast<host::BlockRegisters*>(static_cast<unsigned char*>(info_page) + host::kBlockRegistersOffset);
  r->magic = host::kBlockRegistersMagic;
  r->version = 1;
  r->size_bytes = disk.size_bytes;
  r->capacity = disk.size_bytes / BLK_TRANSFER_SIZE;
  r->sector_size = disk.option.sector_size;
  r->read_only = disk.option.read_only ? 1 : 0;
  r->direct = disk.option.direct ? 1 : 0;
  r->fixed_file = 0;
  std::string serial = disk.option.serial;
  if (serial.empty()) {
    // Derived from the image path when not configured (PROTOCOLS.md §3.5).
    std::string base = disk.option.path.substr(disk.option.path.find_last_of('/') + 1);
    serial = "corokit-" + base;
  }
  std::snprintf(r->serial, sizeof r->serial, "%s", serial.c_str());
  r->ring_params = disk.params;
}

}  // namespace corokit::runtime
