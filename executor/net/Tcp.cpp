#include "executor/net/Tcp.h"

#include <algorithm>
#include <cstring>

#include "executor/net/NetStack.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "sdk/PdCounters.h"

// write_borrowed gives up the tail room lwIP keeps after copied data (TCP_OVERSIZE) by clearing
// unsent_oversize, which lwIP's debug check would see as a mismatch with the segment's record.
static_assert(!TCP_OVERSIZE_DBGCHECK, "corokit net: write_borrowed assumes lwIP without LWIP_DEBUG");

namespace corokit::net {
namespace {

NetError from_lwip(err_t e) {
  switch (e) {
    case ERR_OK: return NetError::None;
    case ERR_MEM:
    case ERR_BUF: return NetError::NoMemory;
    case ERR_RST: return NetError::Reset;
    case ERR_ABRT: return NetError::Aborted;
    case ERR_CLSD:
    case ERR_CONN: return NetError::Closed;
    case ERR_USE: return NetError::InUse;
    case ERR_RTE:
    case ERR_VAL:
    case ERR_ARG: return NetError::Invalid;
    default: return NetError::Aborted;
  }
}

// Both sides have sent FIN and ours is acknowledged: lwIP keeps the pcb in TIME_WAIT and frees it
// later without a callback, so the connection lets go of it now.
void forget_if_done(TcpConnection* c, tcp_pcb* pcb) {
  if (pcb->state == TIME_WAIT) c->detach();
}

err_t on_recv(void* arg, tcp_pcb* pcb, pbuf* p, err_t) {
  auto* c = static_cast<TcpConnection*>(arg);
  if (p == nullptr) {
    c->eof = true;
    c->writable.set();  // a close() waiting for its FIN to be acknowledged re-checks
    forget_if_done(c, pcb);
  } else {
    c->append_rx(p);
    if (c->lingering) c->discard_rx();  // nobody reads any more
  }
  c->readable.set();
  return ERR_OK;
}

err_t on_sent(void* arg, tcp_pcb* pcb, u16_t) {
  auto* c = static_cast<TcpConnection*>(arg);
  c->writable.set();
  forget_if_done(c, pcb);
  return ERR_OK;
}

// Every second (two slow-timer ticks): a writer waiting for heap memory, not for an ACK, retries.
err_t on_poll(void* arg, tcp_pcb*) {
  static_cast<TcpConnection*>(arg)->writable.set();
  return ERR_OK;
}

void on_error(void* arg, err_t err) {
  auto* c = static_cast<TcpConnection*>(arg);
  c->pcb = nullptr;  // lwIP has freed it
  c->error = err == ERR_RST ? NetError::Reset : err == ERR_CLSD ? NetError::Closed : NetError::Aborted;
  c->readable.set();
  c->writable.set();
}

err_t on_connected(void* arg, tcp_pcb*, err_t err) {
  auto* c = static_cast<TcpConnection*>(arg);
  c->connected = err == ERR_OK;
  if (err != ERR_OK) c->error = from_lwip(err);
  c->writable.set();
  return ERR_OK;
}

// A close that lwIP could not start for lack of memory: retried from the slow timer.
err_t retry_close(void*, tcp_pcb* pcb) {
  if (tcp_close(pcb) == ERR_OK) tcp_poll(pcb, nullptr, 0);
  return ERR_OK;
}

void close_pcb(tcp_pcb* pcb) {
  if (tcp_close(pcb) != ERR_OK) tcp_poll(pcb, retry_close, 1);
}

std::uint32_t seqno(const tcp_seg* seg) { return lwip_ntohl(seg->tcphdr->seqno); }

// Whether a segment lwIP still holds (unsent, or sent and not yet acknowledged, possibly to be
// retransmitted) carries a byte before sequence number `end`. Both queues are in sequence order;
// a fast retransmission moves the oldest unacknowledged segment to the front of `unsent`.
bool segments_before(const tcp_pcb* pcb, std::uint32_t end) {
  if (pcb == nullptr) return false;  // lwIP has freed the pcb and its segments
  const tcp_seg* unacked = pcb->unacked;
  const tcp_seg* unsent = pcb->unsent;
  if (unacked == nullptr && unsent == nullptr) return false;
  std::uint32_t oldest = unacked != nullptr ? seqno(unacked) : seqno(unsent);
  if (unacked != nullptr && unsent != nullptr && TCP_SEQ_LT(seqno(unsent), oldest)) oldest = seqno(unsent);
  return TCP_SEQ_LT(oldest, end);
}

// Bytes tcp_write can take by reference now: its send buffer, and its queue of pbufs, where a
// referenced segment takes two (a header and the reference) and a reference appended to the last
// unsent segment one more. Segments are as long as tcp_write makes them (mss_local there).
std::size_t borrowable(const tcp_pcb* pcb) {
  const unsigned queued = tcp_sndqueuelen(pcb);
  if (queued + 4 >= TCP_SND_QUEUELEN) return 0;
  std::size_t mss = std::min<std::size_t>(pcb->mss, std::min<std::size_t>(pcb->snd_wnd_max / 2, 0xffff));
  if (mss == 0) mss = pcb->mss;
  const std::size_t segments = (TCP_SND_QUEUELEN - queued - 4) / 2;
  return std::min<std::size_t>({tcp_sndbuf(pcb), segments * mss, 0xffff});
}

NetError failure(const TcpConnection* c) { return c->error != NetError::None ? c->error : NetError::Closed; }

}  // namespace

const char* to_string(NetError error) noexcept {
  switch (error) {
    case NetError::None: return "ok";
    case NetError::NotConnected: return "not connected";
    case NetError::Reset: return "connection reset";
    case NetError::Aborted: return "connection aborted";
    case NetError::Closed: return "connection closed";
    case NetError::NoMemory: return "out of memory";
    case NetError::InUse: return "address in use";
    case NetError::Invalid: return "invalid argument";
    case NetError::Refused: return "connection refused";
  }
  return "unknown error";
}

// ---- TcpConnection ---------------------------------------------------------------------------

void TcpConnection::attach(tcp_pcb* p) noexcept {
  pcb = p;
  tcp_arg(p, this);
  tcp_recv(p, on_recv);
  tcp_sent(p, on_sent);
  tcp_err(p, on_error);
  tcp_poll(p, on_poll, 2);
  tcp_nagle_disable(p);
}

void TcpConnection::detach() noexcept {
  if (pcb == nullptr) return;
  tcp_arg(pcb, nullptr);
  tcp_recv(pcb, nullptr);
  tcp_sent(pcb, nullptr);
  tcp_err(pcb, nullptr);
  tcp_poll(pcb, nullptr, 0);
  pcb = nullptr;
}

void TcpConnection::append_rx(pbuf* p) noexcept {
  // A private list linked through `next`: chains' u16 tot_len would overflow beyond 64 KiB, so
  // lwIP's chain functions are never used on it.
  if (rx_tail == nullptr) {
    rx_head = p;
  } else {
    rx_tail->next = p;
  }
  while (p->next != nullptr) p = p->next;
  rx_tail = p;
}

std::size_t TcpConnection::take(std::uint8_t* out, std::size_t out_len) noexcept {
  std::size_t copied = 0;
  while (copied < out_len && rx_head != nullptr) {
    pbuf* p = rx_head;
    const std::size_t n = std::min<std::size_t>(out_len - copied, p->len - rx_offset);
    std::memcpy(out + copied, static_cast<const std::uint8_t*>(p->payload) + rx_offset, n);
    copied += n;
    rx_offset = static_cast<std::uint16_t>(rx_offset + n);
    if (rx_offset == p->len) {
      rx_head = p->next;
      if (rx_head == nullptr) rx_tail = nullptr;
      p->next = nullptr;
      p->tot_len = p->len;
      pbuf_free(p);  // gives a referenced Rx buffer back to the free queue
      rx_offset = 0;
    }
  }
  if (copied != 0) counters::copied(copied);
  for (std::size_t left = copied; left != 0 && pcb != nullptr;) {
    const auto n = static_cast<u16_t>(std::min<std::size_t>(left, 0xffff));
    tcp_recved(pcb, n);
    left -= n;
  }
  return copied;
}

void TcpConnection::discard_rx() noexcept {
  std::size_t unread = 0;
  while (rx_head != nullptr) {
    pbuf* p = rx_head;
    rx_head = p->next;
    unread += p->len - rx_offset;
    rx_offset = 0;
    p->next = nullptr;
    p->tot_len = p->len;
    pbuf_free(p);
  }
  rx_tail = nullptr;
  for (std::size_t left = unread; left != 0 && pcb != nullptr;) {
    const auto n = static_cast<u16_t>(std::min<std::size_t>(left, 0xffff));
    tcp_recved(pcb, n);
    left -= n;
  }
}

unsigned TcpConnection::lend(Lease&& lease) noexcept {
  const unsigned i = (borrowed_head + borrowed_count) % kBorrowedSpans;
  BorrowedSpan& span = borrowed[i];
  span.lease = static_cast<Lease&&>(lease);
  span.end_seq = pcb->snd_lbb;
  span.backlog_ticket = 0;
  span.sealed = false;
  span.unreferenced = false;
  if (borrowed_count++ == 0) stack->lending_started();
  return i;
}

void TcpConnection::reclaim() noexcept {
  bool released = false;
  while (borrowed_count != 0) {
    BorrowedSpan& span = borrowed[borrowed_head];
    if (!span.sealed) break;
    if (!span.unreferenced) {
      if (segments_before(pcb, span.end_seq)) break;
      // No segment refers to the span now, and none will again; frames already in the Tx backlog
      // still may.
      span.unreferenced = true;
      span.backlog_ticket = stack->backlog_ticket();
    }
    if (!stack->backlog_passed(span.backlog_ticket)) break;
    Lease ending = static_cast<Lease&&>(span.lease);
    borrowed_head = (borrowed_head + 1) % kBorrowedSpans;
    if (--borrowed_count == 0) stack->lending_ended();
    ending.end();
    released = true;
  }
  if (released) writable.set();  // a writer waiting for a free span
  if (lingering && borrowed_count == 0) {
    lingering = false;
    if (pcb != nullptr) {
      tcp_pcb* p = pcb;
      discard_rx();
      detach();
      close_pcb(p);
    }
    in_use = false;
  }
}

void TcpConnection::reclaim_all() noexcept {
  while (borrowed_count != 0) {
    Lease ending = static_cast<Lease&&>(borrowed[borrowed_head].lease);
    borrowed_head = (borrowed_head + 1) % kBorrowedSpans;
    --borrowed_count;
    ending.end();
  }
  stack->lending_ended();
  if (lingering) {
    lingering = false;
    in_use = false;
  }
}

bool TcpConnection::all_acked() const noexcept { return pcb == nullptr || (pcb->unsent == nullptr && pcb->unacked == nullptr); }

// ---- TcpStream -------------------------------------------------------------------------------

TcpStream& TcpStream::operator=(TcpStream&& other) noexcept {
  if (this != &other) {
    release();
    c_ = other.c_;
    other.c_ = nullptr;
  }
  return *this;
}

TcpStream::~TcpStream() { release(); }

void TcpStream::release() noexcept {
  if (c_ == nullptr) return;
  TcpConnection* c = c_;
  c_ = nullptr;
  NetStack* stack = c->stack;
  if (c->pcb != nullptr) {
    tcp_pcb* pcb = c->pcb;
    c->discard_rx();
    if (c->borrowed_count == 0) {
      c->detach();
      close_pcb(pcb);
    } else {
      // Lent memory: the callbacks stay until lwIP has let go of it (TcpConnection::reclaim closes
      // the pcb then). The FIN follows the data now; reading stays open, so unread data that
      // arrives later is dropped instead of answered with a reset.
      tcp_shutdown(pcb, 0, 1);
    }
  }
  stack->release_connection(*c);
  stack->flush();
}

exec::Task<NetResult<TcpStream>> TcpStream::connect(NetStack& stack, std::uint32_t ipv4, std::uint16_t port) {
  TcpConnection* c = stack.allocate_connection();
  if (c == nullptr) co_return NetError::NoMemory;
  TcpStream stream(c);
  tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_V4);
  if (pcb == nullptr) co_return NetError::NoMemory;
  c->attach(pcb);
  ip_addr_t address;
  IP_ADDR4(&address, (ipv4 >> 24) & 0xff, (ipv4 >> 16) & 0xff, (ipv4 >> 8) & 0xff, ipv4 & 0xff);
  err_t e = tcp_connect(pcb, &address, port, on_connected);
  if (e != ERR_OK) co_return from_lwip(e);
  stack.flush();
  while (!c->connected && c->error == NetError::None) {
    c->writable.reset();
    co_await c->writable;
  }
  if (c->error != NetError::None) co_return c->error == NetError::Reset ? NetError::Refused : c->error;
  co_return stream;
}

exec::Task<NetResult<std::size_t>> TcpStream::read(std::span<std::uint8_t> out) {
  TcpConnection* c = c_;
  if (c == nullptr) co_return NetError::NotConnected;
  for (;;) {
    if (c->rx_head != nullptr || out.empty()) break;
    if (c->eof) co_return std::size_t{0};
    if (c->error != NetError::None) co_return c->error;
    c->readable.reset();
    co_await c->readable;
  }
  std::size_t n = c->take(out.data(), out.size());
  c->stack->flush();
  co_return n;
}

exec::Task<NetError> TcpStream::write(std::span<const std::uint8_t> data) {
  TcpConnection* c = c_;
  if (c == nullptr) co_return NetError::NotConnected;
  std::size_t done = 0;
  while (done < data.size()) {
    if (c->pcb == nullptr) co_return c->error != NetError::None ? c->error : NetError::Closed;
    std::size_t space = tcp_sndbuf(c->pcb);
    if (tcp_sndqueuelen(c->pcb) + 2 >= TCP_SND_QUEUELEN) space = 0;
    err_t e = ERR_MEM;
    std::size_t n = 0;
    if (space != 0) {
      n = std::min<std::size_t>({space, data.size() - done, 0xffff});
      const u8_t flags = TCP_WRITE_FLAG_COPY | (done + n < data.size() ? TCP_WRITE_FLAG_MORE : 0);
      e = tcp_write(c->pcb, data.data() + done, static_cast<u16_t>(n), flags);
    }
    if (e == ERR_OK) {  // lwIP copied the bytes into its segments (TCP_WRITE_FLAG_COPY)
      counters::copied(n);
      done += n;
      continue;
    }
    if (e != ERR_MEM) co_return from_lwip(e);
    // Back-pressure: the send buffer (or lwIP's heap) is full until acknowledgements arrive.
    tcp_output(c->pcb);
    c->stack->flush();
    c->writable.reset();
    co_await c->writable;
  }
  if (c->pcb != nullptr) tcp_output(c->pcb);
  c->stack->flush();
  co_return NetError::None;
}

exec::Task<NetError> TcpStream::write_borrowed(std::span<const std::uint8_t> data, Lease lease) {
  TcpConnection* c = c_;
  if (c == nullptr) co_return NetError::NotConnected;
  if (data.empty()) co_return NetError::None;  // the lease ends with this call
  while (c->borrowed_count == TcpConnection::kBorrowedSpans) {
    if (c->pcb == nullptr) co_return failure(c);
    c->writable.reset();
    co_await c->writable;
  }
  if (c->pcb == nullptr) co_return failure(c);
  // From here the span belongs to the connection; it is sealed however this call ends (also when
  // it is cancelled), and its lease ends once lwIP has let go of what was queued.
  const unsigned slot = c->lend(static_cast<Lease&&>(lease));
  struct Seal {
    BorrowedSpan& span;
    ~Seal() { span.sealed = true; }
  } seal{c->borrowed[slot]};
  std::size_t done = 0;
  while (done < data.size()) {
    tcp_pcb* pcb = c->pcb;
    if (pcb == nullptr) co_return failure(c);
    const std::size_t room = borrowable(pcb);
    err_t e = ERR_MEM;
    std::size_t n = 0;
    if (room != 0) {
      n = std::min(room, data.size() - done);
      // Room lwIP keeps after copied data would be filled by copying: the bytes are referenced.
      pcb->unsent_oversize = 0;
      const u8_t flags = done + n < data.size() ? TCP_WRITE_FLAG_MORE : 0;  // no TCP_WRITE_FLAG_COPY
      e = tcp_write(pcb, data.data() + done, static_cast<u16_t>(n), flags);
    }
    if (e == ERR_OK) {  // lwIP's segments refer to the bytes (PBUF_ROM): no copy
      done += n;
      seal.span.end_seq = pcb->snd_lbb;
      continue;
    }
    if (e != ERR_MEM) co_return from_lwip(e);
    // Back-pressure: the send buffer, lwIP's pbuf queue or its pools are full until
    // acknowledgements arrive.
    tcp_output(pcb);
    c->stack->flush();
    c->writable.reset();
    co_await c->writable;
  }
  if (c->pcb != nullptr) tcp_output(c->pcb);
  c->stack->flush();
  co_return NetError::None;
}

NetError TcpStream::shutdown() noexcept {
  if (c_ == nullptr) return NetError::NotConnected;
  if (c_->pcb == nullptr) return c_->error != NetError::None ? c_->error : NetError::Closed;
  err_t e = tcp_shutdown(c_->pcb, 0, 1);
  c_->stack->flush();
  return from_lwip(e);
}

exec::Task<NetError> TcpStream::close() {
  TcpConnection* c = c_;
  if (c == nullptr) co_return NetError::None;
  NetError result = NetError::None;
  if (c->pcb != nullptr) {
    c->discard_rx();  // unread data would make lwIP answer the close with RST
    if (tcp_shutdown(c->pcb, 0, 1) != ERR_OK) result = NetError::NoMemory;
    c->stack->flush();
    while (result == NetError::None && c->pcb != nullptr && !c->all_acked()) {
      c->writable.reset();
      co_await c->writable;
      c->discard_rx();
    }
    if (c->pcb == nullptr && c->error != NetError::None && c->error != NetError::Closed) result = c->error;
  }
  release();
  co_return result;
}

void TcpStream::abort() noexcept {
  if (c_ == nullptr) return;
  if (c_->pcb != nullptr) {
    tcp_pcb* pcb = c_->pcb;
    c_->detach();
    tcp_abort(pcb);
  }
  release();
}

std::uint32_t TcpStream::remote_ipv4() const noexcept {
  if (c_ == nullptr || c_->pcb == nullptr || !IP_IS_V4(&c_->pcb->remote_ip)) return 0;
  return lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(&c_->pcb->remote_ip)));
}

std::uint16_t TcpStream::remote_port() const noexcept {
  return c_ == nullptr || c_->pcb == nullptr ? 0 : c_->pcb->remote_port;
}

std::size_t TcpStream::unread() const noexcept {
  std::size_t n = 0;
  if (c_ == nullptr) return 0;
  for (pbuf* p = c_->rx_head; p != nullptr; p = p->next) n += p->len;
  return n - c_->rx_offset;
}

// ---- TcpListener -----------------------------------------------------------------------------

TcpListener::~TcpListener() {
  if (pcb_ != nullptr) {
    tcp_arg(pcb_, nullptr);
    tcp_accept(pcb_, nullptr);
    tcp_close(pcb_);
  }
  while (count_ != 0) {
    TcpStream dropped(ready_[head_]);  // closes it
    head_ = (head_ + 1) % kMaxBacklog;
    --count_;
  }
}

NetError TcpListener::listen(std::uint16_t port, unsigned backlog) noexcept {
  if (pcb_ != nullptr || backlog == 0) return NetError::Invalid;
  backlog_ = backlog > kMaxBacklog ? kMaxBacklog : backlog;
  tcp_pcb* pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);
  if (pcb == nullptr) return NetError::NoMemory;
  err_t e = tcp_bind(pcb, IP_ANY_TYPE, port);
  if (e != ERR_OK) {
    tcp_close(pcb);
    return from_lwip(e);
  }
  tcp_pcb* listening = tcp_listen_with_backlog(pcb, static_cast<u8_t>(backlog_));
  if (listening == nullptr) {
    tcp_close(pcb);
    return NetError::NoMemory;
  }
  pcb_ = listening;
  tcp_arg(pcb_, this);
  tcp_accept(pcb_, reinterpret_cast<tcp_accept_fn>(&TcpListener::on_accept));
  return NetError::None;
}

signed char TcpListener::on_accept(void* arg, tcp_pcb* pcb, signed char err) {
  auto* self = static_cast<TcpListener*>(arg);
  if (err != ERR_OK || pcb == nullptr) return ERR_VAL;
  TcpConnection* c = self->count_ < self->backlog_ ? self->stack_.allocate_connection() : nullptr;
  if (c == nullptr) {
    ++self->refused_;
    tcp_abort(pcb);
    return ERR_ABRT;
  }
  c->attach(pcb);
  c->connected = true;
  self->ready_[(self->head_ + self->count_) % kMaxBacklog] = c;
  ++self->count_;
  self->pending_.set();
  return ERR_OK;
}

exec::Task<NetResult<TcpStream>> TcpListener::accept() {
  if (pcb_ == nullptr) co_return NetError::NotConnected;
  while (count_ == 0) {
    pending_.reset();
    co_await pending_;
  }
  TcpConnection* c = ready_[head_];
  head_ = (head_ + 1) % kMaxBacklog;
  --count_;
  co_return TcpStream(c);
}

std::uint16_t TcpListener::port() const noexcept { return pcb_ != nullptr ? pcb_->local_port : 0; }

}  // namespace corokit::net
