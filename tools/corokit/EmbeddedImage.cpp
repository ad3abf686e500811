// A corokit executable with a packed image appended (`corokit pack --self-contained`) boots that
// image when started. `corokit run` is not there yet, so for now such a file says so and stops.
#include <cstdio>

#include "system/image/SelfContained.h"
#include "tools/corokit/Commands.h"

namespace corokit::tool {

std::optional<int> run_embedded_image(int argc, char** argv) {
  (void)argc;
  Result<std::optional<std::vector<uint8_t>>> embedded = image::read_embedded_image("/proc/self/exe");
  if (!embedded) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], embedded.error().c_str());
    return 2;
  }
  if (!embedded->has_value()) return std::nullopt;
  std::fprintf(stderr,
               "%s: error: this executable carries a packed system (%zu bytes), but corokit run is not "
               "available yet\n",
               argv[0], (*embedded)->size());
  return 2;
}

}  // namespace corokit::tool
