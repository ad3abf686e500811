// Test support: block systems packed with the real packer and booted in-process with disks.
#pragma once

#include <string>
#include <vector>

#include "system/image/SystemImage.h"
#include "system/runtime/Monitor.h"
#include "system/runtime/RunOptions.h"
#include "system/support/Result.h"

namespace corokit::testing {

// Packs `sdf` (a path) with the block PDs, the block test PDs and the SDF's own directory (for
// prefill files) on the search path.
Result<image::SystemImage> pack_block_system(const std::string& sdf, std::vector<std::string> search = {});

struct BlockRun {
  runtime::RunResult result;
  std::string output;
  std::vector<std::string> lines;
};
BlockRun run_block_system(const image::SystemImage& image, const runtime::RunOptions& options);
runtime::RunOptions block_run_options(double timeout_s = 60);
runtime::DiskOption disk_option(const std::string& path, bool read_only = false);

// Lines containing `text`.
std::vector<std::string> lines_with(const BlockRun& run, const std::string& text);

}  // namespace corokit::testing
