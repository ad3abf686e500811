// corokit run SYSTEM.img [options]: verify and decode the image, then boot it (docs/runtime.md).
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "system/image/FileBytes.h"
#include "system/image/ImageFile.h"
#include "system/runtime/Monitor.h"
#include "system/runtime/RunOptions.h"
#include "tools/corokit/Commands.h"
#include "tools/corokit/RunCommand.h"

namespace corokit::tool {

// Boots an image held in memory; shared by `corokit run` and executables that carry their image
// (pack --self-contained, which parse their arguments with runtime::parse_run_options).
int run_image_bytes(std::span<const uint8_t> bytes, const std::string& name, const runtime::RunOptions& options) {
  Result<image::SystemImage> img = image::decode_image(bytes);
  if (!img) {
    std::fprintf(stderr, "corokit run: error: %s: %s\n", name.c_str(), img.error().c_str());
    return 2;
  }
  return runtime::run_system(*img, options).exit_code;
}

int run_run(int argc, char** argv) {
  std::vector<std::string> args(argv + 2, argv + argc);
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::fputs(runtime::run_options_help(), stdout);
      return 0;
    }
  }
  std::string path;
  Result<runtime::RunOptions> parsed = runtime::parse_run_options(args, &path);
  if (!parsed) {
    std::fprintf(stderr, "corokit run: error: %s (see 'corokit run --help')\n", parsed.error().c_str());
    return 2;
  }
  if (path.empty()) {
    std::fprintf(stderr, "corokit run: error: no image given (see 'corokit run --help')\n");
    return 2;
  }
  Result<std::vector<uint8_t>> bytes = image::read_file_bytes(path);
  if (!bytes) {
    std::fprintf(stderr, "corokit run: error: %s\n", bytes.error().c_str());
    return 2;
  }
  return run_image_bytes(*bytes, path, *parsed);
}

}  // namespace corokit::tool
