// TcpStream::write_borrowed between two lwIP stacks in their own processes (StackPair): the server
// lends heap buffers it fills with a pattern; each buffer's lease, when it ends, checks that no
// segment of any lwIP pcb still refers to the buffer, poisons it and frees it (so a late reference
// reads poison or, under ASan, freed memory), and counts itself in a ledger in shared memory. The
// client checks every byte. Transfers large and small (more spans than lwIP's queue and the
// connection take at once), over a lossy wire, with a starved Tx queue (frames wait in the
// stack's backlog), and with the connection reset by the peer, aborted, and dropped mid-transfer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <sys/mman.h>

#include "executor/WhenAny.h"
#include "executor/Yield.h"
#include "executor/net/Lease.h"
#include "executor/net/Tcp.h"
#include "lwip/priv/tcp_priv.h"
#include "tests/net/StackPair.h"

using namespace corokit;
using namespace corokit::net;
using corokit::exec::Task;
using namespace corokit::testing;

namespace {

constexpr std::uint32_t kServerIp = kPairServerIp;

enum Port : std::uint16_t {
  kLarge = 30,       // 8 MiB + 77 in spans of 1 byte to 70 000 bytes, then close()
  kTiny = 31,        // 20 000 spans of 1 to 9 bytes, then close()
  kUntilError = 32,  // spans until a write fails (the client resets)
  kAbort = 33,       // spans until blocked (the client does not read), cancelled, then abort()
  kDrop = 34,        // 12 spans of 4 KiB, then the stream is dropped: the client reads later
  kDropReset = 35,   // 80 spans of 4 KiB, the stream dropped while blocked; the client resets
  kAbortBacklogged = 36,  // 1 MiB, then 64 KiB in one burst and abort() while its frames wait in
                          // the Tx backlog (run with a starved Tx queue)
};
constexpr std::uint16_t kLastPort = kAbortBacklogged;

constexpr std::size_t kLargeBytes = 8 * 1024 * 1024 + 77;
constexpr unsigned kTinySpans = 20000;

// Shared between the test and the server process (MAP_SHARED).
struct Ledger {
  std::atomic<std::uint64_t> lent{0};
  std::atomic<std::uint64_t> ended{0};
  std::atomic<std::uint64_t> early{0};  // ended while a segment still referred to the bytes
  std::atomic<std::uint64_t> backlogged{0};
  std::atomic<int> result{-1};          // the server scenario's verdict, once it is done
  std::atomic<bool> starve_tx{false};   // the server keeps all but a few Tx buffers to itself
};

Ledger* g_ledger = nullptr;  // the server process's view

std::uint8_t pattern(std::size_t i) { return static_cast<std::uint8_t>(i * 151 + (i >> 11) + 7); }

bool overlaps(const void* a, std::size_t a_len, const std::uint8_t* b, std::size_t b_len) {
  const auto* p = static_cast<const std::uint8_t*>(a);
  return p < b + b_len && b < p + a_len;
}

// Whether any segment of any of lwIP's pcbs refers to [bytes, bytes + size).
bool lwip_refers_to(const std::uint8_t* bytes, std::size_t size) {
  for (tcp_pcb* list : {tcp_active_pcbs, tcp_tw_pcbs}) {
    for (tcp_pcb* pcb = list; pcb != nullptr; pcb = pcb->next) {
      for (tcp_seg* queue : {pcb->unsent, pcb->unacked}) {
        for (tcp_seg* seg = queue; seg != nullptr; seg = seg->next) {
          for (pbuf* q = seg->p; q != nullptr; q = q->next) {
            if (overlaps(q->payload, q->len, bytes, size)) return true;
          }
        }
      }
    }
  }
  return false;
}

// A heap buffer holding bytes [offset, offset + size) of the pattern, owned by its lease.
class LentBuffer {
 public:
  LentBuffer(std::size_t offset, std::size_t size) : bytes_(new std::uint8_t[size]), size_(size) {
    for (std::size_t i = 0; i < size; ++i) bytes_[i] = pattern(offset + i);
    ++g_ledger->lent;
  }
  LentBuffer(LentBuffer&& other) noexcept : bytes_(other.bytes_), size_(other.size_) { other.bytes_ = nullptr; }
  LentBuffer(const LentBuffer&) = delete;
  ~LentBuffer() {
    if (bytes_ == nullptr) return;
    if (lwip_refers_to(bytes_, size_)) ++g_ledger->early;
    std::memset(bytes_, 0xee, size_);
    delete[] bytes_;
    ++g_ledger->ended;
  }
  std::span<const std::uint8_t> view() const { return {bytes_, size_}; }

 private:
  std::uint8_t* bytes_;
  std::size_t size_;
};

// Completes with `value` after `ms` milliseconds of the endpoint's loop (a stand-in for a timer).
template <class T>
Task<T> after_ms(unsigned ms, T value) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < deadline) co_await exec::yield_now();
  co_return value;
}

// Lends the pattern from `offset` in spans of sizes(i) bytes until `total` or an error.
Task<NetError> send_lent(TcpStream& stream, std::size_t& offset, std::size_t total, std::size_t (*sizes)(unsigned)) {
  for (unsigned i = 0; offset < total; ++i) {
    const std::size_t n = std::min(sizes(i), total - offset);
    LentBuffer buffer(offset, n);
    const std::span<const std::uint8_t> bytes = buffer.view();
    const NetError e = co_await stream.write_borrowed(bytes, std::move(buffer));
    if (e != NetError::None) co_return e;
    offset += n;
  }
  co_return NetError::None;
}

std::size_t mixed_size(unsigned i) {
  static constexpr std::size_t kSizes[] = {4096, 1, 70000, 1460, 5000, 3, 65535, 100, 2920, 12345, 65536, 4095};
  return kSizes[i % (sizeof kSizes / sizeof kSizes[0])];
}
std::size_t tiny_size(unsigned i) { return 1 + i % 9; }
std::size_t block_size(unsigned) { return 4096; }

// Waits (turns of the endpoint's loop) until every lease has ended; false after 30 s.
Task<bool> all_leases_end() {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (g_ledger->ended.load() != g_ledger->lent.load()) {
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    co_await exec::yield_now();
  }
  co_return true;
}

Task<int> scenario(NetStack& stack, std::uint16_t port, TcpStream stream) {
  std::size_t offset = 0;
  switch (port) {
    case kLarge:
    case kTiny: {
      const bool large = port == kLarge;
      const std::size_t total = large ? kLargeBytes : 0;
      NetError e = large ? co_await send_lent(stream, offset, total, mixed_size) : NetError::None;
      for (unsigned i = 0; !large && i < kTinySpans && e == NetError::None; ++i) {
        LentBuffer buffer(offset, tiny_size(i));
        const std::span<const std::uint8_t> bytes = buffer.view();
        e = co_await stream.write_borrowed(bytes, std::move(buffer));
        offset += bytes.size();
      }
      if (e != NetError::None) co_return 1;
      if (co_await stream.close() != NetError::None) co_return 2;
      break;
    }
    case kUntilError: {
      const NetError e = co_await send_lent(stream, offset, std::size_t{1} << 40, block_size);
      if (e != NetError::Reset) co_return 3;
      break;
    }
    case kAbort: {
      auto blocked = co_await exec::when_any(send_lent(stream, offset, std::size_t{1} << 40, block_size),
                                             after_ms(300, NetError::Closed));
      if (blocked.index != 1) co_return 4;  // the client reads nothing: the writes must block
      if (g_ledger->ended.load() == g_ledger->lent.load()) co_return 5;  // unacknowledged data is lent
      stream.abort();
      break;
    }
    case kDrop:
    case kDropReset: {
      const std::size_t total = (port == kDrop ? 12 : 80) * std::size_t{4096};
      if (port == kDrop) {
        if (co_await send_lent(stream, offset, total, block_size) != NetError::None) co_return 6;
      } else {
        // 320 KiB to a client that does not read: blocked once its 128 KiB window and the
        // connection's 16 lent spans are full.
        auto blocked = co_await exec::when_any(send_lent(stream, offset, total, block_size),
                                               after_ms(300, NetError::Closed));
        if (blocked.index != 1) co_return 7;
      }
      if (g_ledger->ended.load() == g_ledger->lent.load()) co_return 9;  // unacknowledged data is lent
      { TcpStream dropped(std::move(stream)); }  // the connection lingers while memory is lent
      // kDrop wrote without waiting, so no acknowledgement has been processed: dropping the
      // stream must not have ended any lease.
      if (port == kDrop && g_ledger->ended.load() != 0) co_return 8;
      break;
    }
    case kAbortBacklogged: {
      if (co_await send_lent(stream, offset, 1024 * 1024, block_size) != NetError::None) co_return 13;
      if (!co_await all_leases_end()) co_return 14;  // acknowledged: the window and cwnd are open
      // 16 spans, each written without waiting (free spans, send buffer and window suffice), so
      // no frame leaves the backlog before the abort.
      const std::uint64_t backlogged = stack.stats().tx_backlogged;
      if (co_await send_lent(stream, offset, offset + 16 * 4096, block_size) != NetError::None) co_return 15;
      if (stack.stats().tx_backlogged == backlogged) co_return 16;
      stream.abort();  // lwIP frees the segments; frames in the backlog still refer to the spans
      if (g_ledger->ended.load() == g_ledger->lent.load()) co_return 17;
      break;
    }
    default: co_return 10;
  }
  if (!co_await all_leases_end()) co_return 11;
  g_ledger->backlogged = stack.stats().tx_backlogged;
  co_return 0;
}

Task<void> serve_one(NetStack& stack, std::uint16_t port, TcpStream stream) {
  g_ledger->result = co_await scenario(stack, port, std::move(stream));
}

Task<void> accept_on(NetStack& stack, std::uint16_t port) {
  TcpListener listener(stack);
  if (listener.listen(port) != NetError::None) {
    g_ledger->result = 12;
    co_return;
  }
  for (;;) {
    NetResult<TcpStream> s = co_await listener.accept();
    if (!s) co_return;
    stack.pd().spawn_detached(serve_one(stack, port, std::move(s.value)));
  }
}

Task<int> server(NetStack& stack, Ledger* ledger) {
  g_ledger = ledger;
  if (ledger->starve_tx) {
    // Keep all but four Tx buffers: bursts of frames wait in the stack's backlog, referenced.
    std::uint64_t offset = 0;
    for (unsigned kept = 0; kept < ClientMemory::kCapacity - 4 && stack.queues().acquire_tx(offset) != nullptr; ++kept) {
    }
  }
  for (std::uint16_t port = kLarge; port <= kLastPort; ++port) stack.pd().spawn_detached(accept_on(stack, port));
  co_await exec::Event{};  // forever: the test stops the process
  co_return 0;
}

// The client: reads and checks the pattern; `read_limit` bytes then a reset (0: until EOF);
// `delay_ms` before reading.
Task<int> client(NetStack& stack, std::uint16_t port, std::size_t expect, std::size_t read_limit, unsigned delay_ms) {
  NetResult<TcpStream> s = co_await TcpStream::connect(stack, kServerIp, port);
  if (!s) co_return 20;
  if (delay_ms != 0) co_await after_ms(delay_ms, 0);
  std::vector<std::uint8_t> in(65536);
  std::size_t total = 0;
  for (;;) {
    if (read_limit != 0 && total >= read_limit) {
      s.value.abort();
      co_return 0;
    }
    NetResult<std::size_t> n = co_await s.value.read(in);
    if (!n) {
      std::fprintf(stderr, "client read: %s after %zu\n", to_string(n.error), total);
      co_return 21;
    }
    if (n.value == 0) break;
    for (std::size_t i = 0; i < n.value; ++i) {
      if (in[i] != pattern(total + i)) {
        std::fprintf(stderr, "client: byte %zu is %u, not %u\n", total + i, in[i], pattern(total + i));
        co_return 22;
      }
    }
    total += n.value;
  }
  if (total != expect) {
    std::fprintf(stderr, "client: %zu of %zu bytes\n", total, expect);
    co_return 23;
  }
  co_return 0;
}

// A client that connects and never reads; it sees the connection reset (kAbort).
Task<int> silent_client(NetStack& stack, std::uint16_t port) {
  NetResult<TcpStream> s = co_await TcpStream::connect(stack, kServerIp, port);
  if (!s) co_return 30;
  co_await after_ms(1500, 0);
  std::vector<std::uint8_t> in(1 << 20);
  for (;;) {  // drains what was delivered before the reset, then sees it
    NetResult<std::size_t> n = co_await s.value.read(in);
    if (!n) co_return n.error == NetError::Reset ? 0 : 31;
    if (n.value == 0) co_return 32;
  }
}

// A client that checks what it reads until the connection is reset (kAbortBacklogged).
Task<int> reading_until_reset(NetStack& stack, std::uint16_t port) {
  NetResult<TcpStream> s = co_await TcpStream::connect(stack, kServerIp, port);
  if (!s) co_return 50;
  std::vector<std::uint8_t> in(65536);
  std::size_t total = 0;
  for (;;) {
    NetResult<std::size_t> n = co_await s.value.read(in);
    if (!n) co_return n.error == NetError::Reset && total >= 1024 * 1024 ? 0 : 51;
    if (n.value == 0) co_return 52;
    for (std::size_t i = 0; i < n.value; ++i) {
      if (in[i] != pattern(total + i)) co_return 53;
    }
    total += n.value;
  }
}

// A client that connects, waits until the server is blocked, then resets (kDropReset).
Task<int> resetting_client(NetStack& stack, std::uint16_t port) {
  NetResult<TcpStream> s = co_await TcpStream::connect(stack, kServerIp, port);
  if (!s) co_return 40;
  co_await after_ms(1500, 0);
  s.value.abort();
  co_return 0;
}

struct PairRun {
  int client = -1;
  int server = -1;
  Ledger* ledger = nullptr;
  std::uint64_t lent = 0, ended = 0, early = 0, backlogged = 0;
};

PairRun run(const StackBody& client_body, unsigned drop_every = 0, bool starve_tx = false) {
  auto* ledger = static_cast<Ledger*>(mmap(nullptr, sizeof(Ledger), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  new (ledger) Ledger();
  ledger->starve_tx = starve_tx;
  PairRun r;
  r.client = run_stack_pair([ledger](NetStack& st) { return server(st, ledger); }, client_body, PairOptions{drop_every, 150},
                            [ledger] {
                              for (int i = 0; i < 4000 && ledger->result.load() < 0; ++i) usleep(10000);  // the server's checks
                            });
  r.server = ledger->result.load();
  r.lent = ledger->lent.load();
  r.ended = ledger->ended.load();
  r.early = ledger->early.load();
  r.backlogged = ledger->backlogged.load();
  munmap(ledger, sizeof(Ledger));
  return r;
}

void expect_all_released(const PairRun& r) {
  EXPECT_EQ(r.client, 0);
  EXPECT_EQ(r.server, 0);
  EXPECT_GT(r.lent, 0u);
  EXPECT_EQ(r.ended, r.lent) << "every lease ends exactly once";
  EXPECT_EQ(r.early, 0u) << "no lease may end while a segment refers to its bytes";
}

}  // namespace

TEST(BorrowedWrite, LargeTransferArrivesIntactAndEveryLeaseEndsOnceAfterItsAcknowledgement) {
  PairRun r = run([](NetStack& s) { return client(s, kLarge, kLargeBytes, 0, 0); });
  expect_all_released(r);
}

TEST(BorrowedWrite, FramesWaitingInTheTxBacklogKeepTheirLeases) {
  PairRun r = run([](NetStack& s) { return client(s, kLarge, kLargeBytes, 0, 0); }, 0, true);
  expect_all_released(r);
  EXPECT_GT(r.backlogged, 0u) << "the starved Tx queue must have sent frames through the backlog";
}

TEST(BorrowedWrite, RetransmissionsOverALossyWireSendTheLentBytes) {
  PairRun r = run([](NetStack& s) { return client(s, kLarge, kLargeBytes, 0, 0); }, 23, true);
  expect_all_released(r);
}

TEST(BorrowedWrite, MoreSpansThanTheQueueTakesWaitInsteadOfFailing) {
  std::size_t tiny_total = 0;
  for (unsigned i = 0; i < kTinySpans; ++i) tiny_total += tiny_size(i);
  PairRun r = run([tiny_total](NetStack& s) { return client(s, kTiny, tiny_total, 0, 0); });
  expect_all_released(r);
  EXPECT_EQ(r.lent, kTinySpans);
}

TEST(BorrowedWrite, AResetByThePeerMidTransferEndsEveryLease) {
  PairRun r = run([](NetStack& s) { return client(s, kUntilError, 0, 1024 * 1024, 0); });
  expect_all_released(r);
}

TEST(BorrowedWrite, AnAbortMidTransferEndsEveryLease) {
  PairRun r = run([](NetStack& s) { return silent_client(s, kAbort); });
  expect_all_released(r);
}

TEST(BorrowedWrite, ADroppedStreamDeliversEverythingThenEndsEveryLease) {
  PairRun r = run([](NetStack& s) { return client(s, kDrop, 12 * 4096, 0, 200); });
  expect_all_released(r);
}

TEST(BorrowedWrite, ADroppedStreamResetByThePeerEndsEveryLease) {
  PairRun r = run([](NetStack& s) { return resetting_client(s, kDropReset); });
  expect_all_released(r);
}

TEST(BorrowedWrite, AnAbortWhileFramesWaitInTheTxBacklogEndsTheLeasesOnlyOnceTheyLeftIt) {
  PairRun r = run([](NetStack& s) { return reading_until_reset(s, kAbortBacklogged); }, 0, true);
  expect_all_released(r);
}

// ---- Lease on its own --------------------------------------------------------------------------

namespace {

struct Counted {
  int* ends;
  explicit Counted(int* e) : ends(e) {}
  Counted(Counted&& other) noexcept : ends(other.ends) { other.ends = nullptr; }
  ~Counted() {
    if (ends != nullptr) ++*ends;
  }
};

}  // namespace

TEST(Lease, EndsItsOwnerExactlyOnceWhereverItWasMoved) {
  int ends = 0;
  {
    Lease a(Counted{&ends});
    EXPECT_TRUE(a.active());
    Lease b(std::move(a));
    EXPECT_FALSE(a.active());
    Lease c;
    c = std::move(b);
    EXPECT_EQ(ends, 0);
    c.end();
    EXPECT_EQ(ends, 1);
    c.end();
    EXPECT_EQ(ends, 1);
  }
  EXPECT_EQ(ends, 1);
  {
    Lease a(Counted{&ends});
    Lease b(Counted{&ends});
    b = std::move(a);  // b's own owner ends now
    EXPECT_EQ(ends, 2);
  }
  EXPECT_EQ(ends, 3);
}

TEST(Lease, OnEndCallsTheReleaseOnce) {
  int calls = 0;
  {
    Lease a = Lease::on_end([](void* c) noexcept { ++*static_cast<int*>(c); }, &calls);
    Lease b(std::move(a));
    EXPECT_EQ(calls, 0);
  }
  EXPECT_EQ(calls, 1);
}
