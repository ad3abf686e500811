// Parser + validator over arbitrary bytes: diagnostics are fine, crashes, hangs and leaks are not.
#include <cstddef>
#include <cstdint>
#include <string>

#include "system/diag/DiagnosticRender.h"
#include "system/sdf/SystemLoader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const corokit::sdf::CheckOptions options = [] {
    corokit::sdf::CheckOptions o;
    o.target = corokit::sdf::builtin_profile("host", 4).value();
    return o;
  }();
  std::string text(reinterpret_cast<const char*>(data), size);
  corokit::sdf::LoadedSystem r = corokit::sdf::load_system_text(std::move(text), "fuzz.xml", options);
  // Rendering walks every diagnostic and location; it must not fail either.
  (void)corokit::diag::render_human(r.diagnostics);
  (void)corokit::diag::render_json(r.diagnostics);
  (void)corokit::diag::render_microkit(r.diagnostics);
  return 0;
}
