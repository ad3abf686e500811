#include "pds/block/VirtCore.h"

namespace corokit::block {

using protocol::block_client_end;
using protocol::block_queue_capacity;
using protocol::block_range_ok;
using protocol::block_server_end;
using protocol::data_range_ok;

const char* describe(Misbehaviour m) {
  switch (m) {
    case Misbehaviour::None: return "none";
    case Misbehaviour::RequestIndex: return "request queue index moved backwards or past capacity";
    case Misbehaviour::ResponseIndex: return "response queue index moved backwards or past capacity";
    case Misbehaviour::TooManyErrors: return "too many invalid requests";
    case Misbehaviour::UnknownId: return "too many responses with unknown or duplicate ids";
  }
  return "unknown";
}

bool VirtCore::attach_driver(const VirtDriverRegions& r) noexcept {
  const uint32_t capacity = block_queue_capacity(r.request_bytes, r.response_bytes);
  if (capacity == 0 || capacity > kMaxDriverCapacity || r.info == nullptr || r.requests == nullptr ||
      r.responses == nullptr) {
    return false;
  }
  driver_ = block_client_end(r.requests, r.responses, capacity);
  driver_info_ = r.info;
  driver_capacity_ = capacity;
  free_count_ = 0;
  for (uint32_t i = capacity; i-- > 0;) free_ids_[free_count_++] = static_cast<uint16_t>(i);
  driver_attached_ = true;
  return true;
}

bool VirtCore::add_client(const VirtClientRegions& r) noexcept {
  if (client_count_ == kMaxClients || r.info == nullptr || r.requests == nullptr || r.responses == nullptr) return false;
  const uint32_t capacity = block_queue_capacity(r.request_bytes, r.response_bytes);
  if (capacity == 0) return false;
  Client& c = clients_[client_count_++];
  c = Client{};
  c.end = block_server_end(r.requests, r.responses, capacity);
  c.info = r.info;
  c.capacity = capacity;
  c.data_bytes = r.data_bytes;
  c.data_io = r.data_io;
  return true;
}

void VirtCore::start_client(uint32_t c, const ClientGeometry& geometry, const char* serial) noexcept {
  if (c >= client_count_) return;
  Client& client = clients_[c];
  const blk_storage_info device = protocol::snapshot(*driver_info_);
  blk_storage_info& info = *client.info;
  unsigned n = 0;
  for (; serial != nullptr && serial[n] != '\0' && n < BLK_SERIAL_NUMBER_LEN - 1; ++n) info.serial_number[n] = serial[n];
  for (; n < BLK_SERIAL_NUMBER_LEN; ++n) info.serial_number[n] = '\0';
  client.geometry = geometry;
  client.geometry.read_only = geometry.read_only || device.read_only != 0;
  info.read_only = client.geometry.read_only ? 1 : 0;
  info.sector_size = device.sector_size;
  info.block_size = device.block_size != 0 ? device.block_size : 1;
  info.queue_depth = static_cast<uint16_t>(client.capacity < 0xffff ? client.capacity : 0xffff);
  info.cylinders = 0;
  info.heads = 0;
  info.blocks = 0;
  info.capacity = geometry.present ? geometry.blocks : 0;
  protocol::publish_storage_info(info);
  client.serving = true;
}

PollResult VirtCore::poll() noexcept {
  PollResult result;
  if (driver_attached_ && driver_counters_.quarantined == Misbehaviour::None) {
    drain_driver(result);
    driver_space_ = driver_.requests.space();
    if (driver_.requests.violations() != 0) quarantine_driver(Misbehaviour::RequestIndex, result);
  }
  if (driver_counters_.quarantined != Misbehaviour::None) driver_space_ = 0;
  for (uint32_t k = 0; k < client_count_; ++k) {
    const uint32_t c = (next_start_ + k) % client_count_;
    Client& client = clients_[c];
    if (!client.serving || client.counters.quarantined != Misbehaviour::None) continue;
    if (serve_client(c, result)) result.more = true;
  }
  if (client_count_ != 0) next_start_ = (next_start_ + 1) % client_count_;
  if (driver_attached_ && driver_.requests.publish()) result.notify_driver = true;
  for (uint32_t c = 0; c < client_count_; ++c) {
    if (clients_[c].end.responses.publish()) result.notify_clients |= 1u << c;
  }
  return result;
}

void VirtCore::drain_driver(PollResult& result) noexcept {
  blk_resp resp;
  while (driver_.responses.pop(resp)) {
    const uint32_t index = resp.id & 0xffff;
    const uint32_t generation = resp.id >> 16;
    if (index >= driver_capacity_ || !routes_[index].in_use || routes_[index].generation != generation) {
      ++driver_counters_.bad_responses;
      continue;
    }
    const Route route = routes_[index];
    routes_[index].in_use = false;
    free_ids_[free_count_++] = static_cast<uint16_t>(index);
    const uint32_t status = protocol::valid_response_status(resp.status) ? resp.status : uint32_t{BLK_RESP_ERR_UNSPEC};
    uint16_t done = route.count;
    if (status != BLK_RESP_OK && resp.success_count < done) done = resp.success_count;
    complete(route, status, status == BLK_RESP_OK ? route.count : done, result);
  }
  driver_.responses.commit();
  if (driver_.responses.violations() != 0) {
    quarantine_driver(Misbehaviour::ResponseIndex, result);
  } else if (driver_counters_.bad_responses >= error_threshold_) {
    quarantine_driver(Misbehaviour::UnknownId, result);
  }
}

void VirtCore::complete(const Route& route, uint32_t status, uint16_t success_count, PollResult& result) noexcept {
  if (route.owner == kInternal) {
    internal_pending_ = false;
    internal_status_ = status;
    result.internal_done = true;
    return;
  }
  Client& client = clients_[route.owner];
  --client.inflight;
  --client.forwarded;
  respond(route.owner, status, success_count, route.client_id, result);
  if (client.barrier && client.forwarded == 0) {
    client.barrier = false;
    --client.inflight;
    respond(route.owner, BLK_RESP_OK, 0, client.barrier_id, result);
  }
}

bool VirtCore::serve_client(uint32_t c, PollResult& result) noexcept {
  Client& client = clients_[c];
  uint32_t budget = client.capacity;
  while (budget > 0 && !client.barrier && client.counters.quarantined == Misbehaviour::None) {
    // Reserve: a response slot for this request on top of those already owed.
    if (client.inflight >= client.end.responses.space()) break;
    // A request that will be forwarded needs a driver id and a driver slot; check before taking it.
    const bool driver_usable = driver_attached_ && driver_counters_.quarantined == Misbehaviour::None;
    if (client.geometry.present && driver_usable && (free_count_ == 0 || driver_space_ == 0)) break;
    blk_req req;
    if (!client.end.requests.pop(req)) break;
    --budget;
    ++client.counters.requests;
    handle(c, req, result);
  }
  client.end.requests.commit();
  if (client.counters.quarantined == Misbehaviour::None) {
    if (client.end.requests.violations() != 0) {
      quarantine(c, Misbehaviour::RequestIndex, result);
    } else if (client.end.responses.violations() != 0) {
      quarantine(c, Misbehaviour::ResponseIndex, result);
    }
  }
  return budget == 0 && !client.barrier && client.counters.quarantined == Misbehaviour::None &&
         client.end.requests.available() != 0;
}

void VirtCore::handle(uint32_t c, const blk_req& req, PollResult& result) noexcept {
  Client& client = clients_[c];
  const bool driver_usable = driver_attached_ && driver_counters_.quarantined == Misbehaviour::None;
  if (!client.geometry.present || !driver_usable) {
    reject(c, BLK_RESP_ERR_NO_DEVICE, req.id, result);
    return;
  }
  switch (req.code) {
    case BLK_REQ_READ:
    case BLK_REQ_WRITE: {
      if (req.count == 0 || !data_range_ok(req.io_or_offset, req.count, client.data_bytes) ||
          !block_range_ok(req.block_number, req.count, client.geometry.blocks) ||
          (req.code == BLK_REQ_WRITE && client.geometry.read_only)) {
        reject(c, BLK_RESP_ERR_INVALID_PARAM, req.id, result);
        return;
      }
      if (!forward(static_cast<uint16_t>(c), req.id, req.code, client.data_io + req.io_or_offset,
                   client.geometry.first_block + req.block_number, req.count)) {
        respond(c, BLK_RESP_ERR_UNSPEC, 0, req.id, result);
      }
      return;
    }
    case BLK_REQ_FLUSH:
      if (!forward(static_cast<uint16_t>(c), req.id, BLK_REQ_FLUSH, 0, 0, 0)) respond(c, BLK_RESP_ERR_UNSPEC, 0, req.id, result);
      return;
    case BLK_REQ_BARRIER:
      if (client.forwarded == 0) {
        respond(c, BLK_RESP_OK, 0, req.id, result);
      } else {
        client.barrier = true;  // later requests stay queued until the earlier ones complete
        client.barrier_id = req.id;
        ++client.inflight;
      }
      return;
    default:
      reject(c, BLK_RESP_ERR_INVALID_PARAM, req.id, result);
      return;
  }
}

bool VirtCore::forward(uint16_t owner, uint32_t client_id, uint32_t code, uint64_t io, uint64_t block,
                       uint16_t count) noexcept {
  if (free_count_ == 0) return false;
  const uint16_t index = free_ids_[--free_count_];
  Route& route = routes_[index];
  ++route.generation;
  const blk_req req{code, io, block, count, static_cast<uint32_t>(route.generation) << 16 | index};
  if (!driver_.requests.push(req)) {
    free_ids_[free_count_++] = index;
    return false;
  }
  if (driver_space_ != 0) --driver_space_;
  route.owner = owner;
  route.in_use = true;
  route.count = count;
  route.client_id = client_id;
  ++driver_counters_.forwarded;
  if (owner != kInternal) {
    ++clients_[owner].inflight;
    ++clients_[owner].forwarded;
  }
  return true;
}

void VirtCore::respond(uint32_t c, uint32_t status, uint16_t success_count, uint32_t id, PollResult& result) noexcept {
  Client& client = clients_[c];
  if (client.counters.quarantined != Misbehaviour::None) return;
  if (!client.end.responses.push(blk_resp{status, success_count, id})) {
    // Only a client that moved its response head can make a reserved slot disappear.
    ++client.counters.dropped;
    quarantine(c, Misbehaviour::ResponseIndex, result);
  }
}

void VirtCore::reject(uint32_t c, uint32_t status, uint32_t id, PollResult& result) noexcept {
  Client& client = clients_[c];
  respond(c, status, 0, id, result);
  if (status != BLK_RESP_ERR_INVALID_PARAM) {
    ++client.counters.no_device;
    return;
  }
  if (++client.counters.invalid >= error_threshold_ && client.counters.quarantined == Misbehaviour::None) {
    quarantine(c, Misbehaviour::TooManyErrors, result);
  }
}

void VirtCore::quarantine(uint32_t c, Misbehaviour why, PollResult& result) noexcept {
  clients_[c].counters.quarantined = why;
  result.newly_quarantined |= 1u << c;
}

void VirtCore::quarantine_driver(Misbehaviour why, PollResult& result) noexcept {
  if (driver_counters_.quarantined != Misbehaviour::None) return;
  driver_counters_.quarantined = why;
  result.driver_quarantined = true;
  // Nothing the driver still holds will be answered: fail it now, so no client waits forever.
  for (uint32_t i = 0; i < driver_capacity_; ++i) {
    if (!routes_[i].in_use) continue;
    const Route route = routes_[i];
    routes_[i].in_use = false;
    complete(route, BLK_RESP_ERR_NO_DEVICE, 0, result);
  }
  free_count_ = 0;
}

bool VirtCore::submit_internal(uint64_t block, uint16_t count, uint64_t io) noexcept {
  if (!driver_attached_ || internal_pending_ || driver_counters_.quarantined != Misbehaviour::None) return false;
  if (driver_.requests.space() == 0) return false;
  if (!forward(kInternal, 0, BLK_REQ_READ, io, block, count)) return false;
  internal_pending_ = true;
  driver_.requests.publish();
  return true;
}

}  // namespace corokit::block
