// A read-only block client (docs/block.md): prints the first line of its partition, and shows that
// a write is refused.
#include "sdk/AsyncPd.h"
#include "sdk/BlockClientSetvars.h"

COROKIT_BLOCK_CLIENT_SETVARS();

namespace {

using namespace corokit;
using exec::BlockResult;
using exec::Task;

struct Viewer {
  exec::BlockClient* blk = nullptr;

  void start(exec::AsyncPd& pd) {
    static exec::BlockClient client(pd, block_client_config());
    blk = &client;
    pd.spawn_detached(run());
  }

  Task<void> run() {
    co_await blk->ready();
    log::info("partition: ", blk->capacity(), " blocks", blk->read_only() ? ", read-only" : "");
    uint8_t* buffer = blk->data();
    BlockResult r = co_await blk->read(0, 1, buffer);
    if (!r.ok()) {
      log::error("read failed: status ", r.status);
      co_return;
    }
    char line[80] = {};
    for (unsigned i = 0; i + 1 < sizeof line && buffer[i] != '\n' && buffer[i] != '\0'; ++i) line[i] = static_cast<char>(buffer[i]);
    log::info("first line: \"", static_cast<const char*>(line), "\"");
    r = co_await blk->write(0, 1, buffer);
    log::info("a write is answered with status ", r.status, r.status == BLK_RESP_ERR_INVALID_PARAM ? " (refused)" : "");
  }
};

}  // namespace

COROKIT_ASYNC_PD(Viewer, 16 * 1024);
