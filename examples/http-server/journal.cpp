// The flagship's second client: an append-only journal on its own partition of the shared disk,
// reached over TCP port 9000 on its own address of the shared NIC. Every line a client sends becomes
// one record in one 4 KiB block; the journal answers "durable <seq>" only after the record's write
// and a FLUSH have completed, so an answered record survives a power cut. At start it scans the
// partition for the first block that is not the next valid record and appends from there.
//
// Record block: "CKJ1", seq (u32 LE), length (u32 LE), CRC-32 of the payload (u32 LE), payload.
// Sends "count <n>" for a line "count" (the records on the partition).
#include <cstring>

#include "executor/Mutex.h"
#include "executor/block/BlockClient.h"
#include "executor/net/Tcp.h"
#include "pds/block/Crc32.h"
#include "pds/net/NetClient.h"
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"
#include "sdk/PdTimers.h"
#include "sdk/include/microkit.h"

COROKIT_BLOCK_CLIENT_SETVARS();

extern "C" {
uintptr_t clock_page = 0;  // setvar_vaddr="clock_page": the timer driver's clock page
}

namespace {

using namespace corokit;
using namespace corokit::net;
using exec::Task;

constexpr unsigned kTimerChannel = 3;

constexpr size_t kHeader = 16;
constexpr size_t kMaxPayload = BLK_TRANSFER_SIZE - kHeader;
constexpr uint16_t kPort = 9000;

exec::AsyncPd* g_pd = nullptr;
exec::BlockClient* g_blk = nullptr;
exec::Mutex g_append;    // one append at a time: records are consecutive blocks
uint32_t g_next = 0;     // the next record's sequence number = its block
uint8_t* g_block = nullptr;  // one transfer buffer in the data region

void put32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

bool valid_record(const uint8_t* b, uint32_t seq) {
  if (std::memcmp(b, "CKJ1", 4) != 0 || get32(b + 4) != seq) return false;
  const uint32_t length = get32(b + 8);
  return length <= kMaxPayload && block::crc32(0, b + kHeader, length) == get32(b + 12);
}

Task<bool> scan() {
  for (g_next = 0; g_next < g_blk->capacity(); ++g_next) {
    exec::BlockResult r = co_await g_blk->read(g_next, 1, g_block);
    if (!r.ok()) co_return false;
    if (!valid_record(g_block, g_next)) break;
  }
  co_return true;
}

// Appends one record and makes it durable. Returns its sequence number, or -1.
Task<int64_t> append(const uint8_t* payload, size_t length) {
  auto lock = co_await g_append.lock();
  if (g_next >= g_blk->capacity()) co_return -1;
  std::memset(g_block, 0, BLK_TRANSFER_SIZE);
  std::memcpy(g_block, "CKJ1", 4);
  put32(g_block + 4, g_next);
  put32(g_block + 8, static_cast<uint32_t>(length));
  put32(g_block + 12, block::crc32(0, payload, length));
  std::memcpy(g_block + kHeader, payload, length);
  exec::BlockResult r = co_await g_blk->write(g_next, 1, g_block);
  if (r.ok()) r = co_await g_blk->flush();
  if (!r.ok()) co_return -1;
  co_return g_next++;
}

Task<bool> send_line(TcpStream& s, const char* word, uint64_t n) {
  char line[48];
  size_t k = 0;
  while (*word) line[k++] = *word++;
  line[k++] = ' ';
  char digits[20];
  size_t d = 0;
  do {
    digits[d++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  while (d) line[k++] = digits[--d];
  line[k++] = '\n';
  co_return co_await s.write(std::span<const uint8_t>(reinterpret_cast<uint8_t*>(line), k)) == NetError::None;
}

Task<void> session(TcpStream s) {
  uint8_t buffer[kMaxPayload + 1];
  size_t used = 0;
  for (;;) {
    NetResult<size_t> got = co_await s.read(std::span<uint8_t>(buffer + used, sizeof buffer - used));
    if (!got || got.value == 0) break;
    used += got.value;
    size_t start = 0;
    bool ok = true;
    for (size_t i = 0; i < used && ok; ++i) {
      if (buffer[i] != '\n') continue;
      const size_t length = i - start;
      if (length == 5 && std::memcmp(buffer + start, "count", 5) == 0) {
        ok = co_await send_line(s, "count", g_next);
      } else {
        const int64_t seq = co_await append(buffer + start, length);
        ok = seq >= 0 ? co_await send_line(s, "durable", uint64_t(seq)) : co_await send_line(s, "failed", 0);
      }
      start = i + 1;
    }
    if (!ok) break;
    std::memmove(buffer, buffer + start, used - start);
    used -= start;
    if (used == sizeof buffer) {  // a line longer than a record: refuse it
      co_await send_line(s, "toolong", used);
      break;
    }
  }
  co_await s.close();
}

Task<void> serve(NetStack& stack) {
  co_await g_blk->ready();
  if (g_blk->read_only() || !co_await scan()) {
    log::error("the journal partition is not writable");
    co_return;
  }
  TcpListener listener(stack);
  if (NetError e = listener.listen(kPort, 8); e != NetError::None) {
    log::error("listen: ", to_string(e));
    co_return;
  }
  co_await stack.address_ready();
  const uint32_t a = stack.ipv4_address();
  log::info("ready ", a >> 24, ".", (a >> 16) & 0xff, ".", (a >> 8) & 0xff, ".", a & 0xff, ":", kPort, ", ", g_next,
            " records");
  for (;;) {
    NetResult<TcpStream> s = co_await listener.accept();
    if (s) g_pd->spawn_detached(session(std::move(s.value)));
  }
}

struct Journal {
  PdTimers timers{kTimerChannel, clock_page};
  NetClient net;

  void start(exec::AsyncPd& pd) {
    g_pd = &pd;
    timers.start(pd);  // before the network: lwIP's timers tick on it
    static exec::BlockClient blk(pd, block_client_config());
    g_blk = &blk;
    g_block = blk.data();
    if (!net.start(pd)) return;
    pd.spawn_detached(serve(net.stack()));
  }
};

}  // namespace

COROKIT_ASYNC_PD(Journal, 256 * 1024);
