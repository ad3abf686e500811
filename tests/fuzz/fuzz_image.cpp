// Fuzzes the image reader: any bytes are rejected with an error or decode to an image that passes
// every sanity check, re-encodes and decodes again. Each input is also tried with its CRCs
// recomputed, so the fuzzer reaches the section decoders behind the integrity checks.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "system/image/ImageFile.h"
#include "system/image/PackReport.h"
#include "system/image/PatchedElf.h"

namespace {

void exercise(std::span<const uint8_t> bytes) {
  corokit::Result<corokit::image::SystemImage> decoded = corokit::image::decode_image(bytes);
  if (!decoded.ok()) return;
  corokit::image::EncodedImage again = corokit::image::encode_image(*decoded);
  if (!corokit::image::decode_image(again.bytes()).ok()) __builtin_trap();
  (void)corokit::image::report_text(*decoded);
  (void)corokit::image::report_json(*decoded);
  for (uint32_t pd = 0; pd < decoded->pds.size(); ++pd) {
    if (!corokit::image::patched_elf(*decoded, pd).ok()) __builtin_trap();  // checked patches always apply
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  exercise({data, size});
  std::vector<uint8_t> resealed(data, data + size);
  if (corokit::image::reseal_image(resealed)) exercise(resealed);
  return 0;
}
