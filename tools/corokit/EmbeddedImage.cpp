// A corokit executable with a packed image appended (`corokit pack --self-contained`) boots that
// image when started: its arguments are `corokit run`'s options, without an image path.
#include <cstdio>
#include <string>
#include <vector>

#include "system/image/SelfContained.h"
#include "system/runtime/RunOptions.h"
#include "tools/corokit/Commands.h"
#include "tools/corokit/RunCommand.h"

namespace corokit::tool {

std::optional<int> run_embedded_image(int argc, char** argv) {
  Result<std::optional<std::vector<uint8_t>>> embedded = image::read_embedded_image("/proc/self/exe");
  if (!embedded) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], embedded.error().c_str());
    return 2;
  }
  if (!embedded->has_value()) return std::nullopt;

  std::vector<std::string> args(argv + 1, argv + argc);
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") {
      std::printf("%s carries a packed system and boots it; it takes the options of\n", argv[0]);
      std::fputs(runtime::run_options_help(), stdout);
      return 0;
    }
  }
  Result<runtime::RunOptions> options = runtime::parse_run_options(args, nullptr);
  if (!options) {
    std::fprintf(stderr, "%s: error: %s (see '%s --help')\n", argv[0], options.error().c_str(), argv[0]);
    return 2;
  }
  return run_image_bytes(**embedded, argv[0], *options);
}

}  // namespace corokit::tool
