// The conventional configuration of a block client PD (docs/block.md): the setvars the SDF patches,
// defined by COROKIT_BLOCK_CLIENT_SETVARS() in exactly one source file of the PD, and the
// BlockClient configuration they describe.
//
//   <map mr="blk_info_c0" vaddr="0x3000_0000" perms="r" setvar_vaddr="blk_info" />
//   <map mr="blk_req_c0" vaddr="0x3000_1000" setvar_vaddr="blk_requests" setvar_size="blk_requests_size" />
//   <map mr="blk_resp_c0" vaddr="0x3000_3000" setvar_vaddr="blk_responses" setvar_size="blk_responses_size" />
//   <map mr="blk_data_c0" vaddr="0x3020_0000" setvar_vaddr="blk_data" setvar_size="blk_data_size" />
//   <end pd="client" id="3" setvar_id="blk_channel" />
//
// A client attached straight to the block driver (no virtualiser) also names its data region's I/O
// address, which its requests then carry (PROTOCOLS.md §1.6):
//   <setvar symbol="blk_data_io" region_paddr="blk_data_c0" />
#pragma once

#include <cstdint>

#include "executor/block/BlockClient.h"

extern "C" {
extern uintptr_t blk_info;
extern uintptr_t blk_requests;
extern uintptr_t blk_requests_size;
extern uintptr_t blk_responses;
extern uintptr_t blk_responses_size;
extern uintptr_t blk_data;
extern uintptr_t blk_data_size;
extern uintptr_t blk_data_io;
extern uintptr_t blk_channel;
}

#define COROKIT_BLOCK_CLIENT_SETVARS()         \
  extern "C" {                                 \
  uintptr_t blk_info;                          \
  uintptr_t blk_requests;                      \
  uintptr_t blk_requests_size;                 \
  uintptr_t blk_responses;                     \
  uintptr_t blk_responses_size;                \
  uintptr_t blk_data;                          \
  uintptr_t blk_data_size;                     \
  uintptr_t blk_data_io;                       \
  uintptr_t blk_channel = UINTPTR_MAX;         \
  }                                            \
  static_assert(true, "")

namespace corokit {

// The client configuration from the setvars. An unset channel gives an invalid client
// (BlockClient::valid() is false and every request fails with ERR_NO_DEVICE).
inline exec::BlockClientConfig block_client_config() {
  exec::BlockClientConfig c;
  c.info = reinterpret_cast<const blk_storage_info*>(blk_info);
  c.requests = reinterpret_cast<void*>(blk_requests);
  c.request_bytes = blk_requests_size;
  c.responses = reinterpret_cast<void*>(blk_responses);
  c.response_bytes = blk_responses_size;
  c.data = reinterpret_cast<void*>(blk_data);
  c.data_bytes = blk_data_size;
  c.io_base = blk_data_io;
  c.channel = blk_channel < exec::kMaxChannels ? static_cast<exec::ChannelId>(blk_channel) : exec::ChannelId{255};
  return c;
}

}  // namespace corokit
