// A block client with a buffer cache (docs/block.md): appends a note to block 0 of its partition,
// makes it durable with flush(), and reads it back past the cache.
#include <cstring>

#include "executor/block/BufferCache.h"
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"

COROKIT_BLOCK_CLIENT_SETVARS();

namespace {

using namespace corokit;
using exec::BlockResult;
using exec::Task;

struct Notes {
  exec::BlockClient* blk = nullptr;
  exec::StaticBufferCache<64>* cache = nullptr;  // 64 buffers at the start of the data region

  void start(exec::AsyncPd& pd) {
    static exec::BlockClient client(pd, block_client_config());
    static exec::StaticBufferCache<64> buffers(client, client.data());
    blk = &client;
    cache = &buffers;
    pd.spawn_detached(run());
  }

  Task<void> run() {
    co_await blk->ready();
    log::info("partition: ", blk->capacity(), " blocks, serial ", blk->info().serial_number);
    static char block[BLK_TRANSFER_SIZE];
    BlockResult r = co_await cache->read(0, 1, block);
    if (!r.ok()) {
      log::error("read failed: status ", r.status);
      co_return;
    }
    // The note counts how many times this system ran on this disk.
    unsigned runs = block[0] == 'N' ? static_cast<unsigned>(block[1]) + 1 : 1;
    std::memset(block, 0, sizeof block);
    block[0] = 'N';
    block[1] = static_cast<char>(runs);
    std::strcpy(block + 2, "corokit was here");
    r = co_await cache->write(0, 1, block);
    if (r.ok()) r = co_await cache->flush();
    if (!r.ok()) {
      log::error("write failed: status ", r.status);
      co_return;
    }
    // Read it back from the device itself, into a buffer of the data region past the cache's.
    uint8_t* direct = blk->data() + 64 * BLK_TRANSFER_SIZE;
    r = co_await blk->read(0, 1, direct);
    log::info("note written and flushed: run ", runs, ", on disk: \"", reinterpret_cast<const char*>(direct + 2), "\"",
              r.ok() ? "" : " (read back failed)");
  }
};

}  // namespace

COROKIT_ASYNC_PD(Notes, 32 * 1024);
