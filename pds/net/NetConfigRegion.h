// Reading the network configuration (executor/net/NetConfig.h) from its region in a PD: the region
// is prefilled from a text file and mapped read-only (setvars net_config, net_config_size).
#pragma once

#include <cstdint>

#include "executor/net/NetConfig.h"
#include "sdk/Log.h"

namespace corokit::net {

// Parses the region; logs and returns false when it is missing or invalid.
inline bool read_net_config(std::uintptr_t vaddr, std::uintptr_t size, NetConfig& out, const char* who) {
  if (vaddr == 0 || size == 0) {
    log::error(who, ": no network configuration region (map it with setvar_vaddr=\"net_config\")");
    return false;
  }
  NetConfigError e = parse_net_config(reinterpret_cast<const char*>(vaddr), size, out);
  if (e) {
    log::error(who, ": network configuration line ", e.line, ": ", e.message);
    return false;
  }
  return true;
}

}  // namespace corokit::net
