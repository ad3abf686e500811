#include "system/runtime/Monitor.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <set>

#include "sdk/Kernel.h"
#include "sdk/host/Abi.h"
#include "sdk/host/BlockDevice.h"
#include "sdk/host/DeviceInfo.h"
#include "sdk/host/Ipc.h"
#include "sdk/include/microkit.h"
#include "sdk/protocol/Timer.h"
#include "system/board/HostBoard.h"
#include "system/runtime/DiskBackend.h"
#include "system/runtime/DomainSchedule.h"
#include "system/runtime/FaultReport.h"
#include "system/runtime/NicBackend.h"
#include "system/runtime/OutputSink.h"
#include "system/runtime/ProcessLauncher.h"
#include "system/runtime/Scheduling.h"
#include "system/runtime/SeccompPolicy.h"
#include "system/runtime/SharedObject.h"
#include "system/runtime/StatsFile.h"
#include "system/runtime/SystemPlan.h"

namespace corokit::runtime {
namespace {

using host::ControlBlock;
using host::PdState;

double now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t monotonic_resolution_ns() {
  timespec res{};
  clock_getres(CLOCK_MONOTONIC, &res);
  return static_cast<uint64_t>(res.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(res.tv_nsec);
}

enum class Source : uint32_t { Signal, Timeout, Tick, PdEvent, PdExit, PdConsole, Device, CallTimer, DomainTimer };

constexpr unsigned kNicMtu = 1500;

uint64_t tag(Source s, uint32_t index) { return (static_cast<uint64_t>(s) << 32) | index; }

// Life of a PD as the monitor tracks it.
enum class Life { Starting, Alive, Faulted, Stopped, Dead };

// Single-runner scheduling state.
enum class Sr { NotReady, Ready, Running, WaitEvents, WaitReply, Off };

struct Device {
  board::Device board;
  uint32_t driver = 0;     // PD index
  uint32_t irq_id = 0;     // the driver's id for the IRQ
  Fd watch;                // the monitor's readiness descriptor
  Fd resource;             // handed to the driver (timerfd; console input pipe read end)
  Fd resource2;            // console output
  Fd feed;                 // console: the write end the monitor copies stdin into
  std::unique_ptr<NicBackend> nic;  // NIC: TAP or slirp (its driver_fd() is the resource)
  std::optional<Disk> disk;  // block: the image and its ring (the ring is the resource)
  int driver_fd = -1;      // block: the ring's descriptor number in the driver
  int image_fd = -1;       // block: the image's descriptor number in the driver; -1 for an O_DIRECT
                           // image (a synchronous read of it would wait for the disk)
  bool masked = false;
  bool in_epoll = false;
};

struct Pd {
  uint32_t index = 0;
  const sdf::ProtectionDomain* model = nullptr;
  const image::PdImage* image = nullptr;
  SharedObject control;
  SharedObject status;
  Fd boot;
  int exec_fd = -1;
  Fd event;
  Fd console_r;
  Fd console_w;
  std::vector<std::pair<int, int>> fds;
  std::vector<sock_filter> filter;
  std::vector<AddressRange> ranges;
  Process proc;
  Life life = Life::Starting;
  uint32_t seen_fault = 0;
  uint32_t seen_yield = 0;
  bool init_done = false;
  bool stopped_by_parent = false;
  std::string partial;
  unsigned root_restarts = 0;
  unsigned restarts = 0;  // every restart (by its parent or as a root PD), for --stats
  bool entry_warned = false;
  Sr sr = Sr::NotReady;
  bool frozen = false;             // parallel mode: stopped because its domain is not active
  bool preempted = false;          // single-runner: stopped by the monitor (SIGSTOP) to run another
  bool resume_without_go = false;  // single-runner: was computing when preempted, not waiting for `go`
  uint32_t call_pair = 0, call_slot = 0, call_channel = 0;
  double call_deadline_ms = 0;  // single-runner: when the current call times out (0: never)

  ControlBlock* cb() const { return control.as<ControlBlock>(); }
  host::StatusPage* st() const { return status.as<host::StatusPage>(); }
};

class Monitor {
 public:
  Monitor(const image::SystemImage& image, const RunOptions& options, int out_fd)
      : image_(image), sys_(image.system), options_(options), out_(make_output(options), out_fd) {}

  RunResult run();

 private:
  static OutputOptions make_output(const RunOptions& o) {
    OutputOptions out;
    out.prefix = o.prefix;
    out.colour = o.colour == RunOptions::Colour::Always || (o.colour == RunOptions::Colour::Auto && isatty(1));
    out.drop_pd_output = o.drop_pd_output;
    out.log_path = o.log_path;
    out.json_path = o.json_path;
    out.until = o.until;
    return out;
  }

  Status prepare();
  Status prepare_devices();
  Status prepare_clock_pages();
  Status attach_console(Device& d);
  Status prepare_pd(Pd& pd);
  Status ensure_elf(Pd& pd);
  Status spawn(Pd& pd);
  void watch(int fd, Source s, uint32_t index, uint32_t events = EPOLLIN);
  void unwatch(int fd);
  void loop();
  void shutdown();

  void on_pd_event(Pd& pd);
  void on_pd_exit(Pd& pd);
  void drain_console(Pd& pd, bool final);
  void handle_fault(Pd& pd);
  void handle_notes(Pd& pd);
  void handle_request(Pd& pd);
  void handle_yield(Pd& pd);
  void deliver_child_fault(Pd& child, const host::ChildFault& f);
  bool restart(Pd& pd);
  void report_death(Pd& pd, int status);
  void raise_irq(Device& d);
  void set_masked(Device& d, bool masked);
  bool has_events(const Pd& pd) const;
  bool idle() const;
  bool timer_armed() const;
  bool disks_busy() const;
  bool sr_idle() const;
  bool finished() const;
  void root_failed(Pd& pd);
  void warn_scheduling(const Pd& pd, const std::string& missing);
  // R4
  void set_down(Pd& pd, sdk::CallFailure why);
  void fail_calls_to(Pd& callee, sdk::CallFailure why);
  void abort_call(Pd& caller, unsigned channel, uint32_t seq, sdk::CallFailure why);
  const host::PpcSlot* call_slot(const Pd& pd, unsigned channel) const;
  bool awaits_reply(const Pd& pd) const;
  void arm_call_timer();
  void on_call_timer();
  void mon(const std::string& line) { out_.monitor_line(line); }
  void write_stats(bool final);
  FaultContext context(const Pd& pd) const;

  // single runner
  void sr_dispatch();
  void sr_make_ready(Pd& pd, bool at_head);
  void sr_preempt(Pd& pd);
  bool domain_allows(const Pd& pd) const;
  // domains
  void start_domains();
  void on_domain_timer();
  void arm_domain_timer();
  void freeze(Pd& pd, bool frozen);
  void sr_remove(Pd& pd);

  const image::SystemImage& image_;
  const sdf::System& sys_;
  RunOptions options_;
  OutputSink out_;
  SystemPlan plan_;
  std::vector<Pd> pds_;
  std::vector<SharedObject> mrs_;
  std::vector<Fd> mr_ro_;
  std::vector<SharedObject> pairs_;
  std::vector<Fd> elf_fds_;  // by ELF number (SystemImage::elfs), created when first needed
  std::vector<Device> devices_;
  std::map<std::string, std::vector<sock_filter>> filters_;
  Fd epoll_;
  Fd signal_fd_;
  Fd timeout_fd_;
  Fd tick_fd_;
  Fd call_timer_;
  std::optional<DomainSchedule> domains_;  // SDF.md §5.12, emulated
  Fd domain_timer_;  // single-runner mode: the earliest protected-call deadline
  Fd devnull_;
  Fd stdin_copy_;
  Fd console_pty_;              // --console pty: the terminal side, held open
  std::string console_backend_;
  static constexpr uint32_t kStdin = 0x8000'0000u;
  bool stop_ = false;
  bool sched_warned_ = false;
  uint64_t top_priority_ = 0;  // the highest SDF priority of the system (nice 0)
  bool faulted_ = false;
  double t0_ = 0;
  uint64_t epoch_ns_ = 0;  // time 0 of the system (PROTOCOLS.md §2.2), CLOCK_MONOTONIC
  double boot_ms_ = -1;
  double prepared_ms_ = -1;
  double started_ms_ = -1;
  unsigned inits_ = 0;
  unsigned idle_ticks_ = 0;
  // --stats
  uint64_t stats_written_ = 0;
  uint64_t irqs_raised_ = 0;
  uint64_t futex_wakes_at_start_ = 0;  // the monitor's own count is process-wide
  // single runner
  int running_ = -1;
  std::deque<uint32_t> ready_[256];
};

// ---- preparation ------------------------------------------------------------------------------

Status Monitor::prepare() {
  Result<SystemPlan> plan = plan_system(sys_);
  if (!plan) return Error{plan.error()};
  plan_ = std::move(*plan);
  if (Status st = apply_ppc_timeouts(plan_, sys_, options_.ppc_timeouts); !st) return st;
  domains_ = DomainSchedule::of(sys_);
  if (sys_.domains && !domains_) mon("MON|WARN: the system declares domains but no schedule entry: every PD runs");
  if (image_.pds.size() != sys_.pds.size()) return Error{"the image has no program for every PD"};
  for (const image::PdImage& pd : image_.pds) {
    if (pd.elf >= image_.elfs.size()) return Error{"the image refers to an ELF it does not hold"};
  }

  epoll_ = Fd(epoll_create1(EPOLL_CLOEXEC));
  devnull_ = Fd(open("/dev/null", O_RDWR | O_CLOEXEC));

  for (size_t i = 0; i < sys_.memory_regions.size(); ++i) {
    const sdf::MemoryRegion& mr = sys_.memory_regions[i];
    Result<SharedObject> o = SharedObject::create("corokit-mr-" + mr.name, mr.size);
    if (!o) return Error{o.error()};
    if (!mr.prefill.empty()) std::memcpy(o->data(), mr.prefill.data(), std::min<size_t>(mr.prefill.size(), o->size()));
    mrs_.push_back(std::move(*o));
    mr_ro_.emplace_back();
  }
  for (size_t i = 0; i < plan_.pairs.size(); ++i) {
    Result<SharedObject> o = SharedObject::create("corokit-pair", host::pair_object_size(plan_.pairs[i].slots));
    if (!o) return Error{o.error()};
    pairs_.push_back(std::move(*o));
  }
  pds_.resize(sys_.pds.size());
  for (const sdf::ProtectionDomain& pd : sys_.pds) top_priority_ = std::max<uint64_t>(top_priority_, pd.priority);
  for (uint32_t i = 0; i < pds_.size(); ++i) {
    Pd& pd = pds_[i];
    pd.index = i;
    pd.model = &sys_.pds[i];
    pd.image = &image_.pds[i];
    Result<SharedObject> c = SharedObject::create("corokit-control-" + pd.model->name, sizeof(ControlBlock));
    Result<SharedObject> s = SharedObject::create("corokit-status-" + pd.model->name, sizeof(host::StatusPage));
    if (!c) return Error{c.error()};
    if (!s) return Error{s.error()};
    pd.control = std::move(*c);
    pd.status = std::move(*s);
    pd.cb()->magic = host::kControlMagic;
    pd.cb()->version = host::kAbiVersion;
    pd.event = Fd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return Error{"pipe: " + std::string(std::strerror(errno))};
    pd.console_r = Fd(p[0]);
    pd.console_w = Fd(p[1]);
    fcntl(pd.console_r.get(), F_SETFL, O_NONBLOCK);
    watch(pd.event.get(), Source::PdEvent, i);
    watch(pd.console_r.get(), Source::PdConsole, i);
  }
  if (Status st = prepare_devices(); !st) return st;
  if (Status st = prepare_clock_pages(); !st) return st;
  for (Pd& pd : pds_) {
    if (Status st = prepare_pd(pd); !st) return Error{"PD '" + pd.model->name + "': " + st.error()};
  }
  return Ok{};
}

Status Monitor::prepare_devices() {
  for (uint32_t i = 0; i < pds_.size(); ++i) {
    for (const PlannedIrq& irq : plan_.pds[i].irqs) {
      Device d;
      d.board = irq.device;
      d.driver = i;
      d.irq_id = irq.id;
      switch (irq.device.kind) {
        case board::DeviceKind::Timer: {
          int t = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
          if (t < 0) return Error{"timerfd_create: " + std::string(std::strerror(errno))};
          d.resource = Fd(t);
          d.watch = Fd(fcntl(t, F_DUPFD_CLOEXEC, 3));
          break;
        }
        case board::DeviceKind::Console:
          if (Status st = attach_console(d); !st) return st;
          break;
        case board::DeviceKind::Nic: {
          if (irq.device.index >= options_.nics.size()) {
            return Error{"PD '" + pds_[i].model->name + "' drives " + irq.device.name() +
                         ", which has no backend attached (give one with --nic tap=NAME or --nic user)"};
          }
          Result<NicSpec> spec = parse_nic_option(options_.nics[irq.device.index]);
          if (!spec) return Error{spec.error()};
          Result<std::unique_ptr<NicBackend>> nic = NicBackend::open(*spec, kNicMtu);
          if (!nic) return Error{irq.device.name() + ": " + nic.error()};
          d.nic = std::move(*nic);
          d.watch = Fd(fcntl(d.nic->driver_fd(), F_DUPFD_CLOEXEC, 3));
          break;
        }
        case board::DeviceKind::Block: {
          if (irq.device.index >= options_.disks.size()) {
            return Error{"PD '" + pds_[i].model->name + "' drives " + irq.device.name() +
                         ", which has no backend attached (attach a disk image with --disk PATH)"};
          }
          Result<Disk> disk = attach_disk(options_.disks[irq.device.index], irq.device.index);
          if (!disk) return Error{disk.error()};
          int k = 0;
          for (const Device& other : devices_) k += other.driver == i && other.board.kind == board::DeviceKind::Block;
          d.driver_fd = host::kFdBlockFirst + 2 * k;
          if (d.driver_fd + 1 > host::kFdBlockLast) return Error{"PD '" + pds_[i].model->name + "' drives too many block devices"};
          if (!disk->option.direct) d.image_fd = d.driver_fd + 1;
          d.watch = Fd(fcntl(disk->ring.get(), F_DUPFD_CLOEXEC, 3));
          d.disk = std::move(*disk);
          break;
        }
        default:
          return Error{"PD '" + pds_[i].model->name + "' drives " + irq.device.name() +
                       ", which has no backend attached"};
      }
      devices_.push_back(std::move(d));
    }
  }
  for (uint32_t k = 0; k < devices_.size(); ++k) {
    watch(devices_[k].watch.get(), Source::Device, k);
    devices_[k].in_epoll = true;
    devices_[k].masked = true;  // until the driver's start-up ack (LIBMICROKIT.md §4.1)
    set_masked(devices_[k], true);
  }
  // Register windows: information pages.
  for (size_t i = 0; i < sys_.memory_regions.size(); ++i) {
    const sdf::MemoryRegion& mr = sys_.memory_regions[i];
    if (!mr.phys_addr) continue;
    std::optional<board::Device> dev = board::device_by_window(*mr.phys_addr, mr.size);
    if (!dev) continue;
    auto* info = mrs_[i].as<host::DeviceInfo>();
    info->magic = host::kDeviceInfoMagic;
    info->version = 1;
    info->kind = static_cast<uint32_t>(dev->kind);
    info->index = dev->index;
    info->irq = static_cast<uint32_t>(dev->irq);
    info->fd = -1;
    info->fd2 = -1;
    std::string backend = "none";
    for (const Device& d : devices_) {
      if (d.board.irq != dev->irq) continue;
      if (dev->kind == board::DeviceKind::Block && d.disk) {
        info->fd = d.driver_fd;
        info->fd2 = d.image_fd;
        backend = disk_backend_name(d.disk->option);
        fill_block_registers(*d.disk, info);
      }
      if (dev->kind == board::DeviceKind::Timer) {
        info->fd = host::kFdTimer;
        backend = "timerfd";
      } else if (dev->kind == board::DeviceKind::Console) {
        info->fd = host::kFdConsoleIn;
        info->fd2 = host::kFdConsoleOut;
        backend = console_backend_.c_str();
      } else if (dev->kind == board::DeviceKind::Nic && d.nic) {
        info->fd = host::kFdNic;
        backend = d.nic->description();
      }
    }
    if (dev->kind == board::DeviceKind::Nic) {
      // Locally administered, unicast, one per NIC index.
      const uint8_t mac[6] = {0x02, 0x00, 0x63, 0x6b, 0x00, static_cast<uint8_t>(dev->index)};
      std::memcpy(info->mac, mac, sizeof mac);
      info->mtu = kNicMtu;
    }
    if (dev->kind == board::DeviceKind::Timer) {
      info->clock_resolution_ns = monotonic_resolution_ns();
      info->clock_epoch_ns = epoch_ns_;
    }
    std::snprintf(info->backend, sizeof info->backend, "%s", backend.c_str());
  }
  for (uint32_t n = 0; n < options_.disks.size(); ++n) {
    bool driven = std::any_of(devices_.begin(), devices_.end(), [&](const Device& d) {
      return d.board.kind == board::DeviceKind::Block && d.board.index == n;
    });
    if (!driven) mon("MON|WARN: --disk '" + options_.disks[n].path + "' is block" + std::to_string(n) + ", which no PD drives");
  }
  return Ok{};
}

// Clock pages (PROTOCOLS.md §2.4, docs/timer.md): a memory region that some PD maps with
// setvar_vaddr="clock_page" is published here, before any PD starts. Clients map it read-only; only
// the timer driver (the PD that declares the timer IRQ) may map it writable, as it fills the page
// itself on seL4.
Status Monitor::prepare_clock_pages() {
  std::set<uint32_t> timer_drivers;
  for (const Device& d : devices_) {
    if (d.board.kind == board::DeviceKind::Timer) timer_drivers.insert(d.driver);
  }
  std::set<uint32_t> pages;
  for (uint32_t i = 0; i < sys_.pds.size(); ++i) {
    for (const sdf::Map& map : sys_.pds[i].maps) {
      if (map.setvar_vaddr != CK_CLOCK_PAGE_SETVAR || map.mr_index >= mrs_.size()) continue;
      const sdf::MemoryRegion& mr = sys_.memory_regions[map.mr_index];
      if (mr.phys_addr && board::device_by_window(*mr.phys_addr, mr.size)) {
        return Error{"memory region '" + mr.name + "' is a device register window and cannot be the clock page"};
      }
      if (map.perms.write && timer_drivers.count(i) == 0) {
        return Error{"PD '" + sys_.pds[i].name + "' maps the clock page '" + mr.name +
                     "' writable; only the timer driver may (map it with perms=\"r\")"};
      }
      pages.insert(map.mr_index);
    }
  }
  const uint64_t resolution = monotonic_resolution_ns();
  for (uint32_t m : pages) {
    ck_clock_page_publish(mrs_[m].as<ck_clock_page>(), CK_CLOCK_SOURCE_MONOTONIC, epoch_ns_, 0, resolution);
  }
  return Ok{};
}

// The console's backend: the driver reads input from `resource` and writes output to `resource2`;
// the monitor watches `watch` for input. stdio and file=PATH: input is copied by the monitor from its
// input descriptor into a pipe; pty: both are the master side of a new pseudo-terminal.
Status Monitor::attach_console(Device& d) {
  if (options_.console == "pty") {
    Fd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    char path[128];
    if (!master.valid() || grantpt(master.get()) != 0 || unlockpt(master.get()) != 0 ||
        ptsname_r(master.get(), path, sizeof path) != 0) {
      return Error{"cannot allocate a pseudo-terminal for the console: " + std::string(std::strerror(errno))};
    }
    // The monitor holds the terminal side open, in raw mode, so the driver never sees a hang-up
    // while nobody is attached, and bytes pass unchanged.
    console_pty_ = Fd(open(path, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!console_pty_.valid()) return Error{std::string("cannot open ") + path + ": " + std::strerror(errno)};
    termios t{};
    tcgetattr(console_pty_.get(), &t);
    cfmakeraw(&t);
    tcsetattr(console_pty_.get(), TCSANOW, &t);
    fcntl(master.get(), F_SETFL, fcntl(master.get(), F_GETFL) | O_NONBLOCK);
    d.resource2 = Fd(fcntl(master.get(), F_DUPFD_CLOEXEC, 3));
    d.watch = Fd(fcntl(master.get(), F_DUPFD_CLOEXEC, 3));
    d.resource = std::move(master);
    console_backend_ = std::string("pty:") + path;
    mon(std::string("MON|INFO: console on ") + path);
    return Ok{};
  }
  int p[2];
  if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return Error{"pipe: " + std::string(std::strerror(errno))};
  d.resource = Fd(p[0]);
  d.feed = Fd(p[1]);
  d.watch = Fd(fcntl(p[0], F_DUPFD_CLOEXEC, 3));
  if (options_.console.rfind("file=", 0) == 0) {
    int out = open(options_.console.substr(5).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) return Error{"console file: " + std::string(std::strerror(errno))};
    d.resource2 = Fd(out);
    console_backend_ = "file:" + options_.console.substr(5);
  } else {
    d.resource2 = Fd(fcntl(1, F_DUPFD_CLOEXEC, 3));
    console_backend_ = "stdio";
  }
  int in = fcntl(options_.console_input_fd, F_DUPFD_CLOEXEC, 3);
  if (in >= 0) {
    fcntl(in, F_SETFL, fcntl(in, F_GETFL) | O_NONBLOCK);
    stdin_copy_ = Fd(in);
    watch(in, Source::Device, kStdin);
  }
  return Ok{};
}

Status Monitor::prepare_pd(Pd& pd) {
  const PdPlan& p = plan_.pds[pd.index];
  const image::PdImage& img = *pd.image;

  if (Status st = ensure_elf(pd); !st) return st;
  std::vector<DeviceGrant> grants;
  pd.fds = {{devnull_.get(), 0}, {pd.console_w.get(), 1}, {pd.console_w.get(), 2}, {pd.event.get(), host::kFdMonitor}};
  for (const Device& d : devices_) {
    if (d.driver != pd.index) continue;
    if (d.board.kind == board::DeviceKind::Timer) {
      pd.fds.push_back({d.resource.get(), host::kFdTimer});
      grants.push_back({DeviceGrant::Kind::Timer, host::kFdTimer});
    } else if (d.board.kind == board::DeviceKind::Console) {
      pd.fds.push_back({d.resource.get(), host::kFdConsoleIn});
      pd.fds.push_back({d.resource2.get(), host::kFdConsoleOut});
      grants.push_back({DeviceGrant::Kind::ConsoleIn, host::kFdConsoleIn});
      grants.push_back({DeviceGrant::Kind::ConsoleOut, host::kFdConsoleOut});
    } else if (d.board.kind == board::DeviceKind::Nic) {
      pd.fds.push_back({d.nic->driver_fd(), host::kFdNic});
      grants.push_back({DeviceGrant::Kind::Nic, host::kFdNic});
    } else if (d.board.kind == board::DeviceKind::Block) {
      pd.fds.push_back({d.disk->ring.get(), d.driver_fd});
      grants.push_back({DeviceGrant::Kind::BlockRing, d.driver_fd});
      if (d.image_fd >= 0) {
        pd.fds.push_back({d.disk->image.get(), d.image_fd});
        grants.push_back({d.disk->option.read_only ? DeviceGrant::Kind::BlockImageReadOnly : DeviceGrant::Kind::BlockImage,
                          d.image_fd});
      }
    }
  }
  // PDs with the same device grants share one filter (building one takes libseccomp a while).
  std::string key;
  for (const DeviceGrant& g : grants) key += std::to_string(static_cast<int>(g.kind)) + ":" + std::to_string(g.fd) + ";";
  auto cached = filters_.find(key);
  if (cached == filters_.end()) {
    Result<std::vector<sock_filter>> filter = build_pd_filter(grants);
    if (!filter) return Error{filter.error()};
    cached = filters_.emplace(key, std::move(*filter)).first;
  }
  pd.filter = cached->second;

  // Objects: control, own status, peers' status (read-only), pairs.
  std::vector<host::BootObject> objects;
  int next_fd = host::kFdFirstObject;
  auto add_object = [&](int fd, bool writable, uint64_t size) {
    pd.fds.push_back({fd, next_fd});
    objects.push_back(host::BootObject{next_fd, writable ? 1u : 0u, size});
    ++next_fd;
    return static_cast<uint32_t>(objects.size() - 1);
  };
  uint32_t control_obj = add_object(pd.control.fd(), true, pd.control.size());
  uint32_t own_status = add_object(pd.status.fd(), true, pd.status.size());
  std::vector<host::BootPeer> peers{{own_status, pd.index}};
  std::vector<host::BootPair> pairs;
  for (const PairRef& r : p.pairs) {
    uint32_t peer_slot = 0;
    if (r.peer_pd != pd.index) {
      Pd& peer = pds_[r.peer_pd];
      Result<Fd> ro = peer.status.read_only_fd();
      if (!ro) return Error{ro.error()};
      uint32_t obj = add_object(ro->get(), false, peer.status.size());
      mr_ro_.push_back(std::move(*ro));  // kept open for restarts
      peers.push_back({obj, r.peer_pd});
      peer_slot = static_cast<uint32_t>(peers.size() - 1);
    }
    uint32_t obj = add_object(pairs_[r.pair].fd(), true, pairs_[r.pair].size());
    pairs.push_back(host::BootPair{obj, r.side, r.receive_mask, peer_slot});
  }

  // Maps: read-only maps get a read-only descriptor, so no PD can make them writable.
  std::vector<host::BootMap> maps;
  for (size_t m = 0; m < p.maps.size(); ++m) {
    const PlannedMap& pm = p.maps[m];
    int fd = mrs_[pm.mr].fd();
    if ((pm.prot & PROT_WRITE) == 0) {
      if (!mr_ro_[pm.mr].valid()) {
        Result<Fd> ro = mrs_[pm.mr].read_only_fd();
        if (!ro) return Error{ro.error()};
        mr_ro_[pm.mr] = std::move(*ro);
      }
      fd = mr_ro_[pm.mr].get();
    }
    pd.fds.push_back({fd, next_fd});
    maps.push_back(host::BootMap{pm.vaddr, pm.size, pm.prot, next_fd});
    ++next_fd;
    const sdf::Perms& perms = pd.model->maps[m].perms;
    pd.ranges.push_back({pm.vaddr, pm.vaddr + pm.size, "memory region '" + sys_.memory_regions[pm.mr].name + "' (" + perms.letters() + ")"});
  }
  for (const image::LoadSegment& s : img.segments) {
    std::string perms = std::string(s.read ? "r" : "-") + (s.write ? "w" : "-") + (s.execute ? "x" : "-");
    pd.ranges.push_back({s.vaddr & ~uint64_t{0xfff}, (s.vaddr + s.mem_size + 0xfff) & ~uint64_t{0xfff}, "ELF segment (" + perms + ")"});
  }
  pd.ranges.push_back({p.stack_bottom, p.stack_bottom + pd.model->stack_size, "the stack"});

  // The descriptor.
  std::vector<uint8_t> pool;
  std::vector<host::BootPatch> patches;
  for (const image::Patch& patch : img.patches) {
    patches.push_back(host::BootPatch{patch.vaddr, static_cast<uint32_t>(pool.size()), static_cast<uint32_t>(patch.bytes.size())});
    pool.insert(pool.end(), patch.bytes.begin(), patch.bytes.end());
  }
  std::vector<host::BootSegment> segments;
  for (const image::LoadSegment& s : img.segments) {
    uint32_t prot = (s.read ? PROT_READ : 0) | (s.write ? PROT_WRITE : 0) | (s.execute ? PROT_EXEC : 0);
    segments.push_back(host::BootSegment{s.vaddr, s.mem_size, prot});
  }

  std::vector<uint8_t> bytes(sizeof(host::BootDescriptor));
  auto append = [&](const auto& vec) {
    while (bytes.size() % 16 != 0) bytes.push_back(0);
    uint32_t at = static_cast<uint32_t>(bytes.size());
    const uint8_t* b = reinterpret_cast<const uint8_t*>(vec.data());
    bytes.insert(bytes.end(), b, b + vec.size() * sizeof(vec[0]));
    return at;
  };
  host::BootDescriptor d{};
  d.magic = host::kBootMagic;
  d.version = host::kAbiVersion;
  d.flags = (options_.single_runner ? uint32_t{host::kBootSingleRunner} : 0u) |
            (options_.checked ? uint32_t{host::kBootChecked} : 0u) | (pd.model->passive ? uint32_t{host::kBootPassive} : 0u) |
            (options_.ppc_fail_fast ? uint32_t{host::kBootCallFailFast} : 0u) |
            (shares_pinned_cpu(sys_, pd.index) ? uint32_t{host::kBootNoIdleSpin} : 0u);
  d.pd_index = pd.index;
  std::snprintf(d.name, sizeof d.name, "%s", pd.model->name.c_str());
  d.priority = static_cast<uint32_t>(pd.model->priority);
  cpu_set_t set;
  d.cpu_count = sched_getaffinity(0, sizeof set, &set) == 0 ? static_cast<uint32_t>(CPU_COUNT(&set)) : 1;
  d.spin_ns = options_.spin_ns;
  d.stack_bottom = p.stack_bottom;
  d.stack_size = pd.model->stack_size;
  d.control_object = static_cast<int32_t>(control_obj);
  d.own_status = static_cast<int32_t>(own_status);
  d.first_object_fd = host::kFdFirstObject;
  d.map_count = static_cast<uint32_t>(maps.size());
  d.patch_count = static_cast<uint32_t>(patches.size());
  d.segment_count = static_cast<uint32_t>(segments.size());
  d.object_count = static_cast<uint32_t>(objects.size());
  d.pair_count = static_cast<uint32_t>(pairs.size());
  d.peer_count = static_cast<uint32_t>(peers.size());
  d.child_count = static_cast<uint32_t>(p.children.size());
  for (unsigned c = 0; c < host::kMaxIds; ++c) d.channels[c] = p.channels[c];
  d.maps_at = append(maps);
  d.patches_at = append(patches);
  d.segments_at = append(segments);
  d.objects_at = append(objects);
  d.pairs_at = append(pairs);
  d.peers_at = append(peers);
  d.children_at = append(p.children);
  d.pool_at = append(pool);
  d.pool_size = static_cast<uint32_t>(pool.size());
  d.total_size = static_cast<uint32_t>(bytes.size());
  std::memcpy(bytes.data(), &d, sizeof d);
  if (bytes.size() > (1u << 20)) return Error{"boot descriptor too large"};
  Result<Fd> boot = sealed_memfd("corokit-boot-" + pd.model->name, bytes.data(), bytes.size(), false);
  if (!boot) return Error{boot.error()};
  pd.boot = std::move(*boot);
  pd.fds.push_back({pd.boot.get(), host::kFdBoot});
  if (next_fd >= kFdExec) return Error{"too many shared objects"};
  return Ok{};
}

// The ELF, shared by every PD (and every restart) running it: the image stores each distinct ELF
// once and PDs refer to it by number, so one sealed memfd per ELF number makes 63 PDs of one ELF
// map the same pages.
Status Monitor::ensure_elf(Pd& pd) {
  if (pd.exec_fd >= 0) return Ok{};
  uint32_t e = pd.image->elf;
  if (elf_fds_.size() < image_.elfs.size()) elf_fds_.resize(image_.elfs.size());
  if (!elf_fds_[e].valid()) {
    const std::vector<uint8_t>& elf = image_.elfs[e];
    Result<Fd> fd = sealed_memfd("corokit-elf-" + pd.model->name, elf.data(), elf.size(), true);
    if (!fd) return Error{fd.error()};
    elf_fds_[e] = std::move(*fd);
  }
  pd.exec_fd = elf_fds_[e].get();
  return Ok{};
}

Status Monitor::spawn(Pd& pd) {
  SpawnSpec spec;
  spec.exec_fd = pd.exec_fd;
  spec.fds = pd.fds;
  spec.filter = &pd.filter;
  spec.argv0 = "corokit:" + pd.model->name;
  pd.cb()->state.store(static_cast<uint32_t>(PdState::Starting));
  // Before the process exists: it may report (ready, fault) before spawn_process returns.
  pd.seen_fault = pd.cb()->fault_seq.load();
  pd.seen_yield = pd.cb()->yield_seq.load();
  Result<Process> proc = spawn_process(spec);
  if (!proc) return Error{proc.error()};
  pd.proc = std::move(*proc);
  pd.life = Life::Starting;
  pd.sr = Sr::NotReady;
  watch(pd.proc.pidfd.get(), Source::PdExit, pd.index);
  pd.frozen = false;
  if (!options_.single_runner && !domain_allows(pd)) freeze(pd, true);
  warn_scheduling(pd, apply_affinity(pd.proc.pid, *pd.model));
  return Ok{};
}

void Monitor::warn_scheduling(const Pd& pd, const std::string& missing) {
  if (missing.empty() || sched_warned_) return;
  sched_warned_ = true;
  mon("MON|WARN: H05: not enforced on this host: " + missing + " (PD '" + pd.model->name +
      "'); PDs without real-time scheduling run SCHED_OTHER with nice values in priority order");
}

void Monitor::watch(int fd, Source s, uint32_t index, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag(s, index);
  epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
}

void Monitor::unwatch(int fd) { epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

// ---- the run ------------------------------------------------------------------------------------

RunResult Monitor::run() {
  RunResult result;
  t0_ = now_ms();
  epoch_ns_ = monotonic_ns();
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  if (!options_.stats_path.empty()) sigaddset(&mask, SIGUSR1);  // a snapshot of the counters
  futex_wakes_at_start_ = counters::current().futex_wakes.load(std::memory_order_relaxed);
  sigset_t old;
  pthread_sigmask(SIG_BLOCK, &mask, &old);
  signal_fd_ = Fd(signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK));
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  struct sigaction old_pipe {};
  sigaction(SIGPIPE, &ign, &old_pipe);

  if (Status st = prepare(); !st) {
    mon("MON|ERROR: cannot boot the system: " + st.error());
    shutdown();
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    sigaction(SIGPIPE, &old_pipe, nullptr);
    result.exit_code = 2;
    return result;
  }
  prepared_ms_ = now_ms() - t0_;
  watch(signal_fd_.get(), Source::Signal, 0);
  if (options_.timeout_s) {
    timeout_fd_ = Fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    itimerspec its{};
    double t = *options_.timeout_s;
    its.it_value.tv_sec = static_cast<time_t>(t);
    its.it_value.tv_nsec = static_cast<long>((t - static_cast<double>(its.it_value.tv_sec)) * 1e9);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
    timerfd_settime(timeout_fd_.get(), 0, &its, nullptr);
    watch(timeout_fd_.get(), Source::Timeout, 0);
  }
  if (options_.until_idle && !options_.single_runner) {
    tick_fd_ = Fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    itimerspec its{};
    its.it_value.tv_nsec = 10'000'000;
    its.it_interval.tv_nsec = 10'000'000;
    timerfd_settime(tick_fd_.get(), 0, &its, nullptr);
    watch(tick_fd_.get(), Source::Tick, 0);
  }

  if (domains_) start_domains();
  // Higher priorities first, so on a busy machine they get going first.
  std::vector<uint32_t> order(pds_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return sys_.pds[a].priority > sys_.pds[b].priority; });
  for (uint32_t i : order) {
    if (Status st = spawn(pds_[i]); !st) {
      mon("MON|ERROR: cannot start PD '" + pds_[i].model->name + "': " + st.error());
      faulted_ = true;
      stop_ = true;
      break;
    }
  }
  started_ms_ = now_ms() - t0_;
  if (!stop_) loop();
  shutdown();
  if (!options_.stats_path.empty()) write_stats(true);
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  sigaction(SIGPIPE, &old_pipe, nullptr);
  result.faulted = faulted_;
  result.exit_code = faulted_ ? 1 : 0;
  result.boot_ms = boot_ms_;
  result.prepared_ms = prepared_ms_;
  result.started_ms = started_ms_;
  return result;
}

void Monitor::loop() {
  epoll_event events[64];
  while (!stop_) {
    if (options_.single_runner) sr_dispatch();
    if (stop_ || finished()) break;
    int n = epoll_wait(epoll_.get(), events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int k = 0; k < n && !stop_; ++k) {
      Source s = static_cast<Source>(events[k].data.u64 >> 32);
      uint32_t index = static_cast<uint32_t>(events[k].data.u64);
      switch (s) {
        case Source::Signal: {
          signalfd_siginfo si;
          while (read(signal_fd_.get(), &si, sizeof si) == sizeof si) {
            if (si.ssi_signo == SIGUSR1) {
              write_stats(false);
            } else {
              stop_ = true;
            }
          }
          break;
        }
        case Source::Timeout:
          stop_ = true;
          break;
        case Source::Tick: {
          uint64_t ticks;
          while (read(tick_fd_.get(), &ticks, sizeof ticks) == sizeof ticks) {
          }
          idle_ticks_ = idle() ? idle_ticks_ + 1 : 0;
          if (idle_ticks_ >= 3) stop_ = true;
          break;
        }
        case Source::PdEvent:
          on_pd_event(pds_[index]);
          break;
        case Source::CallTimer:
          on_call_timer();
          break;
        case Source::DomainTimer:
          on_domain_timer();
          break;
        case Source::PdExit:
          on_pd_exit(pds_[index]);
          break;
        case Source::PdConsole:
          drain_console(pds_[index], false);
          break;
        case Source::Device:
          if (index == kStdin) {  // the monitor's stdin → console device
            char buf[4096];
            ssize_t r = read(stdin_copy_.get(), buf, sizeof buf);
            for (Device& d : devices_) {
              if (d.board.kind == board::DeviceKind::Console && r > 0) (void)!write(d.feed.get(), buf, static_cast<size_t>(r));
            }
            if (r == 0) unwatch(stdin_copy_.get());
          } else {
            raise_irq(devices_[index]);
          }
          break;
      }
      if (out_.until_seen()) stop_ = true;
    }
  }
}

bool Monitor::finished() const {
  for (const Pd& pd : pds_) {
    if (pd.life == Life::Starting || pd.life == Life::Alive) return false;
    if (pd.life == Life::Faulted && pd.model->parent != sdf::kNone && pd.proc.pid > 0) return false;
  }
  return true;
}

void Monitor::shutdown() {
  for (Pd& pd : pds_) {
    if (pd.proc.pid > 0) {
      unwatch(pd.proc.pidfd.get());
      kill_and_reap(pd.proc);
    }
  }
  for (Pd& pd : pds_) {
    if (pd.console_r.valid()) drain_console(pd, true);
  }
}

// The counters of every PD (docs/runtime.md, "Counters"), replacing the file at once.
void Monitor::write_stats(bool final) {
  StatsSnapshot snap;
  snap.sequence = ++stats_written_;
  snap.final = final;
  snap.time_ms = now_ms() - t0_;
  for (const Pd& pd : pds_) {
    if (pd.cb() == nullptr) continue;  // the run ended before its objects existed
    snap.pds.push_back(PdStats{pd.model->name, pd.restarts, CounterValues::read(pd.cb()->counters)});
  }
  snap.monitor.futex_wakes = counters::current().futex_wakes.load(std::memory_order_relaxed) - futex_wakes_at_start_;
  snap.monitor.irqs_raised = irqs_raised_;
  if (Status st = write_file_atomically(options_.stats_path, stats_json(snap)); !st) mon("MON|WARN: --stats: " + st.error());
}

// ---- PD events -----------------------------------------------------------------------------------

void Monitor::on_pd_event(Pd& pd) {
  uint64_t count;
  while (read(pd.event.get(), &count, sizeof count) == sizeof count) {
  }
  ControlBlock* c = pd.cb();
  if (c->fault_seq.load(std::memory_order_acquire) != pd.seen_fault) {
    pd.seen_fault = c->fault_seq.load(std::memory_order_acquire);
    drain_console(pd, false);
    handle_fault(pd);
  }
  handle_notes(pd);
  if (c->request_seq.load(std::memory_order_acquire) != c->response_seq.load(std::memory_order_relaxed)) handle_request(pd);
  if (c->yield_seq.load(std::memory_order_acquire) != pd.seen_yield) {
    pd.seen_yield = c->yield_seq.load(std::memory_order_acquire);
    handle_yield(pd);
  }
}

void Monitor::handle_notes(Pd& pd) {
  ControlBlock* c = pd.cb();
  uint32_t notes = c->notes.exchange(0, std::memory_order_acq_rel);
  if (notes & host::kNoteInitDone && !pd.init_done) {
    pd.init_done = true;
    if (!options_.single_runner && pd.proc.pid > 0) warn_scheduling(pd, apply_priority(pd.proc.pid, *pd.model, options_, top_priority_));
    if (++inits_ == pds_.size() && boot_ms_ < 0) {
      boot_ms_ = now_ms() - t0_;
      if (options_.boot_report) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "MON|INFO: every init() returned after %.1f ms (objects ready after %.1f ms, every PD "
                      "process started after %.1f ms)",
                      boot_ms_, prepared_ms_, started_ms_);
        mon(buf);
      }
    }
  }
  if (notes & host::kNotePassive) {
    drain_console(pd, false);
    mon("MON|INFO: PD '" + pd.model->name + "' is now passive!");
  }
  if (notes & host::kNoteCallTimeout) {
    unsigned ch = c->timed_out_channel % host::kMaxIds;
    const PdPlan& p = plan_.pds[pd.index];
    const host::BootChannel& bc = p.channels[ch];
    const Pd& callee = pds_[p.pairs[bc.pair].peer_pd];
    char ms[32];
    std::snprintf(ms, sizeof ms, "%g", bc.call_timeout_us / 1000.0);
    mon("MON|WARN: protected call of PD '" + pd.model->name + "' on channel " + std::to_string(ch) + " to '" +
        callee.model->name + "' timed out after " + ms + " ms; a late reply is discarded");
    out_.json_event("{\"event\":\"call_failed\",\"pd\":\"" + pd.model->name + "\",\"channel\":" + std::to_string(ch) +
                    ",\"callee\":\"" + callee.model->name + "\",\"why\":\"timed out\"}");
  }
  if (notes & host::kNoteIrqAck) {
    uint64_t bits = c->irq_ack.exchange(0, std::memory_order_acq_rel);
    for (Device& d : devices_) {
      if (d.driver == pd.index && (bits & (uint64_t{1} << d.irq_id))) set_masked(d, false);
    }
  }
}

void Monitor::handle_request(Pd& pd) {
  ControlBlock* c = pd.cb();
  uint32_t seq = c->request_seq.load(std::memory_order_acquire);
  int64_t response = -1;
  uint64_t child_id = c->request_arg[0];
  Pd* child = nullptr;
  for (const host::BootChild& ch : plan_.pds[pd.index].children) {
    if (ch.id == child_id) child = &pds_[ch.pd_index];
  }
  if (child != nullptr) {
    switch (c->request) {
      case host::Request::ChildRestart: {
        uint64_t entry = c->request_arg[1];
        if (entry != child->image->entry && entry != 0x200000 && !child->entry_warned) {
          child->entry_warned = true;
          mon("MON|WARN: microkit_pd_restart of '" + child->model->name + "' at " + hex(entry, 16) +
              ": corokit restarts at the image entry (a fresh process); the entry point is ignored");
        }
        response = restart(*child) ? 0 : -1;
        break;
      }
      case host::Request::ChildStop:
        if (child->life == Life::Alive || child->life == Life::Starting) {
          syscall(SYS_pidfd_send_signal, child->proc.pidfd.get(), SIGSTOP, nullptr, 0);
          child->life = Life::Stopped;
          sr_remove(*child);
        }
        child->stopped_by_parent = true;
        if (child->life == Life::Stopped) set_down(*child, sdk::CallFailure::CalleeStopped);
        response = 0;
        break;
      case host::Request::ChildResume:
        if (child->life == Life::Stopped) {
          if (!child->preempted && !child->frozen) syscall(SYS_pidfd_send_signal, child->proc.pidfd.get(), SIGCONT, nullptr, 0);
          child->life = Life::Alive;
          if (options_.single_runner) sr_make_ready(*child, false);
          set_down(*child, sdk::CallFailure::None);
        }
        child->stopped_by_parent = false;
        response = 0;
        break;
      case host::Request::FaultReply:
        if (child->life == Life::Faulted && child->proc.pid > 0 && !child->stopped_by_parent) {
          ControlBlock* cc = child->cb();
          cc->verdict = 1;
          child->life = Life::Alive;
          cc->verdict_seq.fetch_add(1, std::memory_order_seq_cst);
          host::futex_wake(&cc->verdict_seq);
          set_down(*child, sdk::CallFailure::None);
          if (options_.single_runner) sr_make_ready(*child, false);
        }
        response = 0;
        break;
      case host::Request::None:
        break;
    }
  }
  c->response = response;
  c->response_seq.store(seq, std::memory_order_seq_cst);
  host::futex_wake(&c->response_seq);
}

FaultContext Monitor::context(const Pd& pd) const {
  FaultContext ctx;
  ctx.pd_name = pd.model->name;
  ctx.pid = pd.proc.pid;
  ctx.badge = pd.index + 1;
  ctx.stack_bottom = plan_.pds[pd.index].stack_bottom;
  ctx.stack_top = ctx.stack_bottom + pd.model->stack_size;
  ctx.ranges = pd.ranges;
  return ctx;
}

void Monitor::handle_fault(Pd& pd) {
  const host::FaultRecord& f = pd.cb()->fault;
  if (pd.sr == Sr::Running) running_ = -1;
  sr_remove(pd);
  if (f.label == host::kStartupError) {
    const PdPlan& p = plan_.pds[pd.index];
    std::string why;
    switch (static_cast<host::StartupError>(f.code)) {
      case host::StartupError::MapClash:
      case host::StartupError::MapFailed: {
        const sdf::Map& m = pd.model->maps[f.syscall < pd.model->maps.size() ? f.syscall : 0];
        why = "cannot map memory region '" + m.mr + "' at " + hex(m.vaddr, 16) + ": " +
              (static_cast<host::StartupError>(f.code) == host::StartupError::MapClash ? "the range is already in use"
                                                                                       : std::strerror(f.signo));
        break;
      }
      case host::StartupError::StackClash:
        why = "cannot place the stack or IPC page at " + hex(f.addr, 16) + " (stack bottom " + hex(p.stack_bottom, 16) + ")";
        break;
      case host::StartupError::Patch:
        why = "cannot patch the symbol at " + hex(f.addr, 16);
        break;
      default:
        why = "cannot map its runtime objects";
        break;
    }
    mon("MON|ERROR: PD '" + pd.model->name + "' could not start: " + why);
    set_down(pd, sdk::CallFailure::CalleeDied);
    out_.json_event("{\"event\":\"startup_error\",\"pd\":\"" + pd.model->name + "\"}");
    pd.life = Life::Dead;
    faulted_ = true;
    if (options_.stop_on_fault) stop_ = true;
    return;
  }
  pd.life = Life::Faulted;
  set_down(pd, sdk::CallFailure::CalleeFaulted);
  FaultContext ctx = context(pd);
  bool child = pd.model->parent != sdf::kNone;
  out_.json_event(fault_json(f, ctx, child));
  if (child) {
    out_.log_only("MON|INFO: child PD '" + pd.model->name + "' faulted: " + fault_summary(f));
    host::ChildFault cf{};
    cf.info = seL4_MessageInfo_new(f.label, 0, 0, f.count).words[0];
    std::memcpy(cf.mrs, f.mrs, sizeof cf.mrs);
    deliver_child_fault(pd, cf);
    return;
  }
  for (const std::string& line : fault_report(f, ctx)) mon(line);
  root_failed(pd);
}

void Monitor::root_failed(Pd& pd) {
  faulted_ = true;
  if (options_.stop_on_fault) {
    stop_ = true;
    return;
  }
  if (pd.root_restarts < options_.root_restarts) {
    ++pd.root_restarts;
    mon("MON|INFO: restarting PD '" + pd.model->name + "' (" + std::to_string(pd.root_restarts) + " of " +
        std::to_string(options_.root_restarts) + ")");
    restart(pd);
    return;
  }
  // Microkit never resumes a faulted root PD; the process is released.
  if (pd.proc.pid > 0) {
    unwatch(pd.proc.pidfd.get());
    kill_and_reap(pd.proc);
  }
}

void Monitor::deliver_child_fault(Pd& child, const host::ChildFault& f) {
  Pd& parent = pds_[child.model->parent];
  const PdPlan& pp = plan_.pds[parent.index];
  for (size_t i = 0; i < pp.children.size(); ++i) {
    if (pp.children[i].pd_index != child.index) continue;
    ControlBlock* pc = parent.cb();
    pc->child_fault[i] = f;
    pc->child_faults.fetch_or(uint64_t{1} << i, std::memory_order_seq_cst);
    host::kick(pc->events, *parent.st());
  }
}

void Monitor::report_death(Pd& pd, int status) {
  set_down(pd, sdk::CallFailure::CalleeDied);
  std::string what = WIFEXITED(status) ? "exited with status " + std::to_string(WEXITSTATUS(status))
                                       : "killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                             signal_name(WTERMSIG(status)) + ")";
  bool child = pd.model->parent != sdf::kNone;
  out_.json_event("{\"event\":\"exit\",\"pd\":\"" + pd.model->name + "\",\"child\":" + (child ? "true" : "false") +
                  ",\"what\":\"" + what + "\"}");
  if (child) {
    // The parent hears of it as a fault it can only answer with restart or stop.
    out_.log_only("MON|INFO: child PD '" + pd.model->name + "' " + what);
    host::ChildFault cf{};
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    cf.info = seL4_MessageInfo_new(seL4_Fault_UserException, 0, 0, 5).words[0];
    cf.mrs[3] = static_cast<uint64_t>(sig);
    cf.mrs[4] = WIFEXITED(status) ? static_cast<uint64_t>(WEXITSTATUS(status)) : 0;
    pd.life = Life::Faulted;
    deliver_child_fault(pd, cf);
    return;
  }
  mon("MON|ERROR: PD '" + pd.model->name + "' " + what);
  pd.life = Life::Dead;
  root_failed(pd);
}

void Monitor::on_pd_exit(Pd& pd) {
  if (pd.proc.pid <= 0) return;
  int status = 0;
  if (waitpid(pd.proc.pid, &status, WNOHANG) <= 0) return;
  unwatch(pd.proc.pidfd.get());
  pd.proc.pid = -1;
  pd.proc.pidfd = Fd();
  drain_console(pd, true);
  if (pd.sr == Sr::Running) running_ = -1;
  sr_remove(pd);
  // A fault or start-up error it reported is already handled.
  if (pd.cb()->fault_seq.load() != pd.seen_fault) on_pd_event(pd);
  if (pd.life == Life::Dead || pd.life == Life::Faulted) return;
  report_death(pd, status);
}

void Monitor::drain_console(Pd& pd, bool final) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(pd.console_r.get(), buf, sizeof buf);
    if (n <= 0) break;
    pd.partial.append(buf, static_cast<size_t>(n));
  }
  size_t start = 0;
  for (size_t nl; (nl = pd.partial.find('\n', start)) != std::string::npos; start = nl + 1) {
    out_.pd_line(pd.model->name, pd.index, std::string_view(pd.partial).substr(start, nl - start));
  }
  pd.partial.erase(0, start);
  if (final && !pd.partial.empty()) {
    out_.pd_line(pd.model->name, pd.index, pd.partial);
    pd.partial.clear();
  }
}

bool Monitor::restart(Pd& pd) {
  set_down(pd, sdk::CallFailure::CalleeRestarted);
  pd.call_deadline_ms = 0;
  if (pd.proc.pid > 0) {
    unwatch(pd.proc.pidfd.get());
    kill_and_reap(pd.proc);
  }
  drain_console(pd, true);
  if (pd.sr == Sr::Running) running_ = -1;
  sr_remove(pd);
  // Kernel objects survive (R1): IRQ bits, child faults, notification words, queued calls. The
  // process-private runtime state starts afresh.
  ControlBlock* c = pd.cb();
  ++pd.restarts;
  uint64_t irqs = c->events.pending.load();
  uint64_t child_faults = c->child_faults.load();
  std::vector<host::ChildFault> saved(std::begin(c->child_fault), std::end(c->child_fault));
  uint32_t go = c->go.load();
  uint32_t yield = c->yield_seq.load();
  CounterValues counted = CounterValues::read(c->counters);
  std::memset(static_cast<void*>(c), 0, sizeof(ControlBlock));
  c->magic = host::kControlMagic;
  c->version = host::kAbiVersion;
  c->events.pending.store(irqs);
  c->child_faults.store(child_faults);
  std::copy(saved.begin(), saved.end(), c->child_fault);
  c->go.store(go);
  c->yield_seq.store(yield);
  counted.store(c->counters);  // the PD's counters go on across its processes
  pd.st()->asleep.store(0);
  pd.init_done = false;
  pd.stopped_by_parent = false;
  pd.preempted = false;
  pd.resume_without_go = false;
  for (Device& d : devices_) {
    if (d.driver == pd.index) set_masked(d, true);
  }
  if (Status st = spawn(pd); !st) {
    mon("MON|ERROR: cannot restart PD '" + pd.model->name + "': " + st.error());
    pd.life = Life::Dead;
    return false;
  }
  set_down(pd, sdk::CallFailure::None);
  return true;
}

// ---- R4: protected calls that fail ------------------------------------------------------------------

const char* failure_text(sdk::CallFailure f) {
  switch (f) {
    case sdk::CallFailure::None: return "replied";
    case sdk::CallFailure::Timeout: return "timed out";
    case sdk::CallFailure::CalleeFaulted: return "faulted";
    case sdk::CallFailure::CalleeStopped: return "was stopped";
    case sdk::CallFailure::CalleeRestarted: return "was restarted";
    case sdk::CallFailure::CalleeDied: return "died";
  }
  return "failed";
}

const host::PpcSlot* Monitor::call_slot(const Pd& pd, unsigned channel) const {
  const PdPlan& p = plan_.pds[pd.index];
  const host::BootChannel& bc = p.channels[channel];
  return reinterpret_cast<const host::PpcSlot*>(pairs_[p.pairs[bc.pair].pair].data() + host::pair_slot_offset(bc.slot));
}

// Callers in fail-fast mode see it at once when they call a PD that cannot serve.
void Monitor::set_down(Pd& pd, sdk::CallFailure why) {
  if (!options_.ppc_fail_fast) return;
  pd.st()->down.store(static_cast<uint32_t>(why), std::memory_order_seq_cst);
  if (why != sdk::CallFailure::None) fail_calls_to(pd, why);
}

// Every call to `callee` that has no reply yet ends with the distinguished reply.
void Monitor::fail_calls_to(Pd& callee, sdk::CallFailure why) {
  for (Pd& caller : pds_) {
    const PdPlan& p = plan_.pds[caller.index];
    for (unsigned ch = 0; ch < host::kMaxIds; ++ch) {
      const host::BootChannel& bc = p.channels[ch];
      if (bc.kind != host::ChannelKind::Channel || !bc.can_call || p.pairs[bc.pair].peer_pd != callee.index) continue;
      const host::PpcSlot* s = call_slot(caller, ch);
      uint32_t seq = s->call_seq.load(std::memory_order_seq_cst);
      if (seq == s->reply_seq.load() || seq == s->cancel_seq.load()) continue;
      const ControlBlock* c = caller.cb();
      if (c->abort_seq.load() != 0 && c->abort_channel == ch && c->abort_call_seq == seq) continue;  // already ended
      abort_call(caller, ch, seq, why);
    }
  }
}

void Monitor::abort_call(Pd& caller, unsigned channel, uint32_t seq, sdk::CallFailure why) {
  ControlBlock* c = caller.cb();
  c->abort_channel = channel;
  c->abort_call_seq = seq;
  c->abort_reason = static_cast<uint32_t>(why);
  c->abort_seq.fetch_add(1, std::memory_order_seq_cst);
  host::futex_wake(&c->abort_seq);
  caller.call_deadline_ms = 0;
  if (options_.single_runner && caller.sr == Sr::WaitReply) sr_make_ready(caller, false);
  if (why == sdk::CallFailure::Timeout) return;  // logged when the caller reports it
  const PdPlan& p = plan_.pds[caller.index];
  const Pd& callee = pds_[p.pairs[p.channels[channel].pair].peer_pd];
  mon("MON|WARN: protected call of PD '" + caller.model->name + "' on channel " + std::to_string(channel) + " to '" +
      callee.model->name + "' failed: the callee " + failure_text(why) + " (fail-fast)");
  out_.json_event("{\"event\":\"call_failed\",\"pd\":\"" + caller.model->name + "\",\"channel\":" + std::to_string(channel) +
                  ",\"callee\":\"" + callee.model->name + "\",\"why\":\"" + failure_text(why) + "\"}");
}

// Single-runner mode: the monitor times calls (the caller does not run while it waits).
void Monitor::arm_call_timer() {
  double next = 0;
  for (const Pd& pd : pds_) {
    if (pd.call_deadline_ms > 0 && (next == 0 || pd.call_deadline_ms < next)) next = pd.call_deadline_ms;
  }
  if (!call_timer_.valid()) {
    call_timer_ = Fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
    watch(call_timer_.get(), Source::CallTimer, 0);
  }
  itimerspec its{};
  if (next > 0) {
    double left = std::max(next - now_ms(), 0.001);
    its.it_value.tv_sec = static_cast<time_t>(left / 1000);
    its.it_value.tv_nsec = static_cast<long>((left - static_cast<double>(its.it_value.tv_sec) * 1000) * 1e6);
    if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0) its.it_value.tv_nsec = 1;
  }
  timerfd_settime(call_timer_.get(), 0, &its, nullptr);
}

void Monitor::on_call_timer() {
  uint64_t n;
  while (read(call_timer_.get(), &n, sizeof n) == sizeof n) {
  }
  double now = now_ms();
  for (Pd& pd : pds_) {
    if (pd.call_deadline_ms == 0 || pd.call_deadline_ms > now) continue;
    pd.call_deadline_ms = 0;
    if (pd.sr != Sr::WaitReply) continue;
    const host::PpcSlot* s = call_slot(pd, pd.call_channel);
    uint32_t seq = s->call_seq.load();
    if (seq != s->reply_seq.load()) abort_call(pd, pd.call_channel, seq, sdk::CallFailure::Timeout);
  }
  arm_call_timer();
}

// ---- domains (SDF.md §5.12) ---------------------------------------------------------------------------
// Parallel mode: the PDs of inactive domains are stopped (SIGSTOP, waited for) and continued when
// their domain comes; single-runner mode: the dispatcher only runs PDs of the active domain. The
// monitor is never frozen.

void Monitor::start_domains() {
  domain_timer_ = Fd(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  watch(domain_timer_.get(), Source::DomainTimer, 0);
  arm_domain_timer();
}

void Monitor::arm_domain_timer() {
  uint64_t us = domains_->slice_us();
  itimerspec its{};
  its.it_value.tv_sec = static_cast<time_t>(us / 1000000);
  its.it_value.tv_nsec = static_cast<long>(us % 1000000) * 1000;
  timerfd_settime(domain_timer_.get(), 0, &its, nullptr);
}

void Monitor::freeze(Pd& pd, bool frozen) {
  if (pd.proc.pid <= 0 || pd.frozen == frozen) return;
  pd.frozen = frozen;
  if (frozen) {
    syscall(SYS_pidfd_send_signal, pd.proc.pidfd.get(), SIGSTOP, nullptr, 0);
    siginfo_t si{};
    while (waitid(P_PIDFD, static_cast<id_t>(pd.proc.pidfd.get()), &si, WSTOPPED | WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
  } else if (pd.life != Life::Stopped) {  // a child its parent stopped stays stopped
    syscall(SYS_pidfd_send_signal, pd.proc.pidfd.get(), SIGCONT, nullptr, 0);
  }
}

void Monitor::on_domain_timer() {
  uint64_t n;
  while (read(domain_timer_.get(), &n, sizeof n) == sizeof n) {
  }
  domains_->advance();
  arm_domain_timer();
  if (options_.single_runner) return;  // the dispatcher preempts and picks by domain
  for (Pd& pd : pds_) {
    if (!domain_allows(pd)) freeze(pd, true);
  }
  for (Pd& pd : pds_) {
    if (domain_allows(pd)) freeze(pd, false);
  }
}

// ---- devices -------------------------------------------------------------------------------------

void Monitor::set_masked(Device& d, bool masked) {
  d.masked = masked;
  epoll_event ev{};
  ev.events = masked ? 0u : uint32_t{EPOLLIN};
  ev.data.u64 = tag(Source::Device, static_cast<uint32_t>(&d - devices_.data()));
  epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, d.watch.get(), &ev);
}

void Monitor::raise_irq(Device& d) {
  if (d.masked) return;
  set_masked(d, true);
  ++irqs_raised_;
  Pd& pd = pds_[d.driver];
  ControlBlock* c = pd.cb();
  c->events.pending.fetch_or(uint64_t{1} << d.irq_id, std::memory_order_seq_cst);
  host::kick(c->events, *pd.st());
}

// ---- idle detection ------------------------------------------------------------------------------

bool Monitor::has_events(const Pd& pd) const {
  const ControlBlock* c = pd.cb();
  if (c->events.pending.load() != 0 || c->child_faults.load() != 0) return true;
  const PdPlan& p = plan_.pds[pd.index];
  for (const PairRef& r : p.pairs) {
    const auto* h = pairs_[r.pair].as<host::PairHeader>();
    const host::Direction& in = h->dir[r.peer_pd == pd.index ? 0 : 1 - r.side];
    if (in.pending.load() & r.receive_mask) return true;
  }
  for (unsigned ch = 0; ch < host::kMaxIds; ++ch) {
    const host::BootChannel& bc = p.channels[ch];
    if (bc.kind != host::ChannelKind::Channel || !bc.callee) continue;
    const auto* s = reinterpret_cast<const host::PpcSlot*>(pairs_[p.pairs[bc.pair].pair].data() + host::pair_slot_offset(bc.slot));
    uint32_t call = s->call_seq.load();
    if (call != s->taken_seq.load() && call != s->cancel_seq.load()) return true;
  }
  return false;
}

// A PD in a call still waits for its reply: the call it made has been neither answered nor ended.
// (A caller stays Calling from the reply until the OS runs it, which on a loaded machine can be
// longer than the idle ticks.)
bool Monitor::awaits_reply(const Pd& pd) const {
  const PdPlan& p = plan_.pds[pd.index];
  const ControlBlock* c = pd.cb();
  for (unsigned ch = 0; ch < host::kMaxIds; ++ch) {
    const host::BootChannel& bc = p.channels[ch];
    if (bc.kind != host::ChannelKind::Channel || !bc.can_call) continue;
    const host::PpcSlot* s = call_slot(pd, ch);
    const uint32_t seq = s->call_seq.load();
    if (seq == s->reply_seq.load() || seq == s->cancel_seq.load()) continue;
    if (c->abort_seq.load() != 0 && c->abort_channel == ch && c->abort_call_seq == seq) continue;
    return true;
  }
  return false;
}

// I/O in flight will complete (and raise the IRQ): not idle.
bool Monitor::disks_busy() const {
  return std::any_of(devices_.begin(), devices_.end(), [](const Device& d) { return d.disk && d.disk->view.busy(); });
}

bool Monitor::timer_armed() const {
  for (const Device& d : devices_) {
    if (d.board.kind != board::DeviceKind::Timer) continue;
    itimerspec its{};
    timerfd_gettime(d.watch.get(), &its);
    if (its.it_value.tv_sec != 0 || its.it_value.tv_nsec != 0) return true;
  }
  return false;
}

// Parallel mode: every live PD sleeps in its loop (or is blocked in a call, or on a fault its parent
// has) with nothing pending, and no timer is armed.
bool Monitor::idle() const {
  if (timer_armed() || disks_busy()) return false;
  for (const Pd& pd : pds_) {
    if (pd.proc.pid <= 0 || pd.life == Life::Stopped || pd.life == Life::Dead || pd.life == Life::Faulted) continue;
    auto state = static_cast<PdState>(pd.cb()->state.load());
    if (state == PdState::Calling) {  // also from init(): blocked until its callee answers ...
      const auto& chans = plan_.pds[pd.index].channels;
      if (std::any_of(chans.begin(), chans.end(), [](const host::BootChannel& c) { return c.call_timeout_us != 0; })) {
        return false;  // ... or until its timeout expires
      }
      if (!awaits_reply(pd)) return false;  // answered: it runs as soon as the OS schedules it
      continue;
    }
    if (!pd.init_done) return false;
    if (state != PdState::Waiting || pd.st()->asleep.load() == 0 || has_events(pd)) return false;
  }
  return true;
}

// Single-runner mode, called when nothing is ready: idle unless a PD is still starting or a timer
// will fire.
bool Monitor::sr_idle() const {
  if (timer_armed() || disks_busy()) return false;
  if (domains_ && std::any_of(std::begin(ready_), std::end(ready_), [](const auto& q) { return !q.empty(); })) {
    return false;  // ready, waiting for its domain
  }
  for (const Pd& pd : pds_) {
    if (pd.proc.pid > 0 && pd.life == Life::Starting) return false;
  }
  return true;
}

// ---- single-runner mode ----------------------------------------------------------------------------

bool Monitor::domain_allows(const Pd& pd) const { return !domains_ || domains_->domain_of(*pd.model) == domains_->active(); }

void Monitor::handle_yield(Pd& pd) {
  ControlBlock* c = pd.cb();
  drain_console(pd, false);
  if (pd.life == Life::Starting) pd.life = Life::Alive;
  pd.resume_without_go = false;  // it waits for `go` now (possibly already stopped by a preemption)
  switch (c->yield) {
    case host::Yield::Ready:
      pd.sr = Sr::NotReady;
      sr_make_ready(pd, false);
      break;
    case host::Yield::Continue:
      if (running_ == static_cast<int>(pd.index)) running_ = -1;
      sr_make_ready(pd, true);
      break;
    case host::Yield::Wait:
      if (running_ == static_cast<int>(pd.index)) running_ = -1;
      sr_remove(pd);
      pd.sr = Sr::WaitEvents;
      break;
    case host::Yield::Call:
      if (running_ == static_cast<int>(pd.index)) running_ = -1;
      sr_remove(pd);
      pd.sr = Sr::WaitReply;
      pd.call_pair = c->yield_arg[0];
      pd.call_slot = c->yield_arg[1];
      if (pd.call_channel != c->yield_arg[2] || pd.call_deadline_ms == 0) {
        pd.call_channel = c->yield_arg[2] % host::kMaxIds;
        uint32_t us = plan_.pds[pd.index].channels[pd.call_channel].call_timeout_us;
        pd.call_deadline_ms = us != 0 ? now_ms() + us / 1000.0 : 0;
        if (us != 0) arm_call_timer();
      }
      break;
    case host::Yield::None:
      break;
  }
}

// Stops the running PD (SIGSTOP, and waits until it has stopped, so two PDs never run at once) and
// queues it first among its priority, as seL4 does with a preempted thread.
void Monitor::sr_preempt(Pd& pd) {
  running_ = -1;
  if (pd.proc.pid > 0 && !pd.preempted) {
    syscall(SYS_pidfd_send_signal, pd.proc.pidfd.get(), SIGSTOP, nullptr, 0);
    siginfo_t si{};
    while (waitid(P_PIDFD, static_cast<id_t>(pd.proc.pidfd.get()), &si, WSTOPPED | WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    pd.preempted = true;
  }
  pd.resume_without_go = true;
  sr_make_ready(pd, true);
}

void Monitor::sr_make_ready(Pd& pd, bool at_head) {
  sr_remove(pd);
  auto& q = ready_[pd.model->priority & 0xff];
  if (at_head) {
    q.push_front(pd.index);
  } else {
    q.push_back(pd.index);
  }
  pd.sr = Sr::Ready;
}

void Monitor::sr_remove(Pd& pd) {
  if (pd.sr == Sr::Ready) {
    auto& q = ready_[pd.model->priority & 0xff];
    q.erase(std::remove(q.begin(), q.end(), pd.index), q.end());
  }
  pd.sr = Sr::Off;
}

void Monitor::sr_dispatch() {
  // Boot barrier: nobody runs while a PD is still setting up, so init() order is by priority.
  for (const Pd& pd : pds_) {
    if (pd.proc.pid > 0 && pd.life == Life::Starting) return;
  }
  // Waiting PDs with something to do become ready, in index order.
  for (Pd& pd : pds_) {
    if (pd.sr == Sr::WaitEvents && has_events(pd)) {
      sr_make_ready(pd, false);
    } else if (pd.sr == Sr::WaitReply) {
      const PdPlan& p = plan_.pds[pd.index];
      const auto* s = reinterpret_cast<const host::PpcSlot*>(pairs_[p.pairs[pd.call_pair].pair].data() +
                                                             host::pair_slot_offset(pd.call_slot));
      if (s->reply_seq.load() == s->call_seq.load()) {
        pd.call_deadline_ms = 0;
        sr_make_ready(pd, false);
      }
    }
  }
  // Boot order among equal priorities is by global index.
  for (auto& q : ready_) {
    if (q.size() > 1 && std::all_of(q.begin(), q.end(), [&](uint32_t i) { return !pds_[i].init_done; })) {
      std::sort(q.begin(), q.end());
    }
  }
  int top = -1;
  for (int prio = 255; prio >= 0 && top < 0; --prio) {
    const auto& q = ready_[prio];
    if (std::any_of(q.begin(), q.end(), [&](uint32_t i) { return domain_allows(pds_[i]); })) top = prio;
  }
  if (running_ >= 0) {
    // Preemption: a higher-priority PD became ready (an IRQ, a timeout) while this one computes, or
    // its domain's time is over.
    if (domain_allows(pds_[running_]) && top <= static_cast<int>(pds_[running_].model->priority & 0xff)) return;
    sr_preempt(pds_[running_]);
  }
  for (int prio = 255; prio >= 0; --prio) {
    auto& q = ready_[prio];
    auto it = std::find_if(q.begin(), q.end(), [&](uint32_t i) { return domain_allows(pds_[i]); });
    if (it == q.end()) continue;
    Pd& pd = pds_[*it];
    q.erase(it);
    pd.sr = Sr::Running;
    running_ = static_cast<int>(pd.index);
    if (pd.preempted) {
      syscall(SYS_pidfd_send_signal, pd.proc.pidfd.get(), SIGCONT, nullptr, 0);
      pd.preempted = false;
    }
    if (pd.resume_without_go) {  // it was stopped while computing: it goes on where it was
      pd.resume_without_go = false;
    } else {
      ControlBlock* c = pd.cb();
      c->go.fetch_add(1, std::memory_order_seq_cst);
      host::futex_wake(&c->go);
    }
    return;
  }
  if (options_.until_idle && sr_idle()) stop_ = true;
}

}  // namespace

RunResult run_system(const image::SystemImage& image, const RunOptions& options, int out_fd) {
  Monitor m(image, options, out_fd);
  return m.run();
}

}  // namespace corokit::runtime
