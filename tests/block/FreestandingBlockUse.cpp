// Instantiates the block client adapter and buffer cache the way a bare-metal PD would, for the
// freestanding aarch64 check of executor/ (tests/executor/FreestandingCheck.cmake).
#include <new>

#include "executor/AsyncPd.h"
#include "executor/block/BlockClient.h"
#include "executor/block/BufferCache.h"

namespace corokit::exec::freestanding_block_use {

Task<uint32_t> everything(BlockClient& blk, StaticBufferCache<16>& cache, uint8_t* out) {
  co_await blk.ready();
  BlockResult r = co_await blk.read(0, 1, blk.data());
  r = co_await blk.write(1, 1, blk.data());
  r = co_await blk.flush();
  r = co_await blk.barrier();
  r = co_await cache.read(2, 4, out);
  r = co_await cache.write(2, 4, out);
  r = co_await cache.flush();
  co_return r.status;
}

void start(AsyncPd& pd, BlockClient& blk, StaticBufferCache<16>& cache, uint8_t* out) {
  pd.spawn_detached(everything(blk, cache, out));
}

// Construction in place, as a PD with a static arena would do it.
BlockClient* make_client(void* at, AsyncPd& pd, const BlockClientConfig& config) {
  return ::new (at) BlockClient(pd, config);
}
StaticBufferCache<16>* make_cache(void* at, BlockClient& blk) { return ::new (at) StaticBufferCache<16>(blk, blk.data()); }

}  // namespace corokit::exec::freestanding_block_use
