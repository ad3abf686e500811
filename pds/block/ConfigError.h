// Where a text configuration of the block PDs (VirtConfig, DriverOptions) went wrong. Freestanding.
#pragma once

#include <cstdint>

namespace corokit::block {

struct ConfigError {
  uint32_t line = 0;           // 1-based; 0 when there is no error
  const char* what = nullptr;
};

}  // namespace corokit::block
