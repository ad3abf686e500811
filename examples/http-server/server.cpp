// The flagship's HTTP server PD: serves the FAT file system of its disk partition over HTTP on port
// 80 and, when the system gives it a certificate, over HTTPS on port 443. Every connection is a
// coroutine (pds/http/HttpConnection.h); files are read through a buffer cache over the block
// client; the network is lwIP over the client net queues. Prints "http_server: ready ..." once it
// serves, which is what tests and the demo script wait for.
#include <cstring>

#include "executor/block/BufferCache.h"
#include "executor/fs/FatVolume.h"
#include "executor/Timer.h"
#include "executor/net/Tcp.h"
#include "pds/http/FatSite.h"
#include "pds/http/HttpConnection.h"
#include "pds/net/NetClient.h"
#include "pds/tls/TlsConfig.h"
#include "pds/tls/TlsEngine.h"
#include "pds/tls/TlsStream.h"
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"
#include "sdk/PdTimers.h"
#include "sdk/include/microkit.h"

COROKIT_BLOCK_CLIENT_SETVARS();

extern "C" {
uintptr_t clock_page = 0;  // setvar_vaddr="clock_page": the timer driver's clock page
}

// The TLS credentials: PEM text in read-only regions prefilled from files (zero-padded). Unset
// (0) when the system has no certificate: then there is no HTTPS.
extern "C" {
uintptr_t tls_cert;
uintptr_t tls_cert_size;
uintptr_t tls_key;
uintptr_t tls_key_size;
}

namespace {

using namespace corokit;
using namespace corokit::net;
using exec::Task;

constexpr unsigned kTimerChannel = 3;

constexpr uint32_t kCacheBuffers = 448;  // 1.75 MiB of the 2 MiB data region
constexpr exec::Duration kIdleTimeout = exec::Duration::seconds(10);  // a silent connection is closed
constexpr unsigned kMaxConnections = 128;  // of lwIP's 160 TCP PCBs; the rest wait in TIME_WAIT

using Reader = exec::BufferCacheReader;
using Site = http::FatSite;

exec::AsyncPd* g_pd = nullptr;
exec::BlockClient* g_blk = nullptr;
fs::FatVolume<Reader>* g_volume = nullptr;
Site* g_site = nullptr;
http::ServerCounters g_counters;
tls::TlsServerConfig g_tls;
unsigned g_active = 0;

// PEM text up to the region's zero padding, with the terminating NUL mbedTLS wants.
std::span<const uint8_t> pem_in(uintptr_t base, uintptr_t size) {
  const auto* p = reinterpret_cast<const uint8_t*>(base);
  size_t n = 0;
  while (n < size && p[n] != 0) ++n;
  if (n == size) return {};  // no NUL inside the region: not ours to read past
  return {p, n + 1};
}

// A TCP stream watched for idleness: a connection that has neither received nor sent for
// kIdleTimeout is shut down (FIN: the client sees the end of the stream, the server's pending read
// goes on) and reset after twice that, so a silent client cannot hold a connection slot. Under TLS
// it is the transport. One watchdog tick a second for all connections is cheaper than a timer
// per read.
class IdleClosingStream {
 public:
  explicit IdleClosingStream(TcpStream stream) : stream_(std::move(stream)) { watch(); }
  IdleClosingStream(IdleClosingStream&& other) noexcept : stream_(std::move(other.stream_)) {
    other.unwatch();
    watch();
  }
  IdleClosingStream& operator=(IdleClosingStream&&) = delete;
  ~IdleClosingStream() { unwatch(); }

  Task<NetResult<size_t>> read(std::span<uint8_t> out) {
    touch();
    NetResult<size_t> got = co_await stream_.read(out);
    touch();
    co_return got;
  }
  Task<NetError> write(std::span<const uint8_t> data) {
    touch();
    NetError e = co_await stream_.write(data);
    touch();
    co_return e;
  }
  // Zero-copy: the bytes go from the pinned cache block into the frames; the chunk (its pin) is
  // the lease that keeps them there until the client has acknowledged them.
  Task<NetError> write_borrowed(std::span<const uint8_t> data, net::Lease lease) {
    touch();
    NetError e = co_await stream_.write_borrowed(data, std::move(lease));
    touch();
    co_return e;
  }
  Task<NetError> close() { return stream_.close(); }
  void abort() { stream_.abort(); }

  // Called every second by the watchdog.
  static void check_all(uint64_t now_ns) {
    for (IdleClosingStream*& slot : slots_) {
      if (slot == nullptr) continue;
      const uint64_t idle = now_ns - slot->last_ns_;
      if (idle >= 2 * uint64_t(kIdleTimeout.ns())) {
        slot->stream_.abort();
      } else if (idle >= uint64_t(kIdleTimeout.ns()) && !slot->shut_) {
        slot->shut_ = true;
        slot->stream_.shutdown();
      }
    }
  }

 private:
  void touch() { last_ns_ = exec::timers().last_now().ns(); }  // this turn's time: no clock read
  void watch() {
    touch();
    for (IdleClosingStream*& slot : slots_) {
      if (slot == nullptr) {
        slot = this;
        return;
      }
    }
  }
  void unwatch() {
    for (IdleClosingStream*& slot : slots_) {
      if (slot == this) slot = nullptr;
    }
  }

  static inline IdleClosingStream* slots_[kMaxConnections] = {};
  TcpStream stream_;
  uint64_t last_ns_ = 0;
  bool shut_ = false;
};

Task<void> idle_watchdog() {
  exec::Interval every(exec::timers(), exec::Duration::seconds(1));
  for (;;) {
    co_await every.tick();
    IdleClosingStream::check_all(exec::timers().last_now().ns());
  }
}

Task<void> http_connection(TcpStream tcp) {
  IdleClosingStream stream(std::move(tcp));
  co_await http::serve_connection(stream, *g_site, g_counters);
  --g_active;
}

Task<void> https_connection(TcpStream tcp) {
  tls::TlsStream<IdleClosingStream> secure(IdleClosingStream(std::move(tcp)), tls::TlsEngine(g_tls));
  auto e = co_await secure.handshake();
  if (e.ok()) {
    co_await http::serve_connection(secure, *g_site, g_counters);
  } else {
    secure.abort();
  }
  --g_active;
}

Task<void> listen(NetStack& stack, uint16_t port, Task<void> (*handler)(TcpStream)) {
  TcpListener listener(stack);
  if (NetError e = listener.listen(port, TcpListener::kMaxBacklog); e != NetError::None) {
    log::error("listen on ", port, ": ", to_string(e));
    co_return;
  }
  for (;;) {
    NetResult<TcpStream> s = co_await listener.accept();
    if (!s) continue;
    if (g_active >= kMaxConnections) {
      s.value.abort();  // a reset is the honest answer when every connection slot is taken
      continue;
    }
    ++g_active;
    g_pd->spawn_detached(handler(std::move(s.value)));
  }
}

Task<void> serve(NetStack& stack) {
  co_await g_blk->ready();
  fs::FsError e = co_await g_volume->mount(g_blk->capacity() * uint64_t(BLK_TRANSFER_SIZE));
  if (e != fs::FsError::None) {
    log::error("the site partition holds no usable FAT file system: ", fs::to_string(e));
    co_return;
  }
  bool https = false;
  if (tls_cert != 0 && tls_key != 0) {
    auto config = tls::TlsServerConfig::create(pem_in(tls_cert, tls_cert_size), pem_in(tls_key, tls_key_size));
    if (config.ok()) {
      g_tls = config.value;
      https = true;
    } else {
      log::error("TLS credentials unusable (", tls::describe(config.error), "): serving HTTP only");
    }
  }
  g_pd->spawn_detached(idle_watchdog());
  g_pd->spawn_detached(listen(stack, 80, http_connection));
  if (https) g_pd->spawn_detached(listen(stack, 443, https_connection));
  co_await stack.address_ready();
  const uint32_t a = stack.ipv4_address();
  log::info("ready http://", a >> 24, ".", (a >> 16) & 0xff, ".", (a >> 8) & 0xff, ".", a & 0xff, "/",
            https ? " and https on port 443" : "");
}

struct HttpServer {
  PdTimers timers{kTimerChannel, clock_page};
  NetClient net;

  void start(exec::AsyncPd& pd) {
    g_pd = &pd;
    timers.start(pd);  // before the network: lwIP's timers tick on it
    static exec::BlockClient blk(pd, block_client_config());
    static exec::StaticBufferCache<kCacheBuffers> cache(blk, blk.data());
    static Reader reader(cache);
    static fs::FatVolume<Reader> volume(reader);
    static Site site(volume, cache);
    g_blk = &blk;
    g_volume = &volume;
    g_site = &site;
    if (!net.start(pd)) return;
    pd.spawn_detached(serve(net.stack()));
  }
};

}  // namespace

COROKIT_ASYNC_PD(HttpServer, 4 * 1024 * 1024);
