// `corokit pack SYSTEM.xml -o system.img`: PD ELFs + system description -> one image.
#include <cstdio>
#include <fstream>

#include "system/image/FileBytes.h"
#include "system/image/ImageFile.h"
#include "system/image/ImagePacker.h"
#include "system/image/ModelJson.h"
#include "system/image/PackReport.h"
#include "system/image/SelfContained.h"
#include "tools/corokit/Commands.h"
#include "tools/corokit/DiagnosticOutput.h"
#include "tools/corokit/SdfOptions.h"

namespace corokit::tool {
namespace {

const char* kHelp =
    "usage: corokit pack SYSTEM.xml [options]\n"
    "\n"
    "Checks the system description, reads every PD's ELF, computes the symbol patches and writes\n"
    "one image (docs/image-format.md). Every problem of every PD is reported in one run.\n"
    "Exit status: 0 image written, 1 errors, 2 usage or I/O problem.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE       the image to write (default system.img)\n"
    "  -r, --report FILE       also write the report (text)\n"
    "  --report-json FILE      also write the report as JSON\n"
    "  --model-json FILE       also write the resolved system model as JSON\n"
    "  --self-contained        write an executable: corokit with the image appended\n"
    "%s"
    "  --format FORMAT         diagnostics: human (default), json or microkit (alias --diagnostics)\n"
    "  --werror                treat warnings as errors\n"
    "  --color WHEN            auto (default), always or never\n"
    "  -h, --help              show this help\n";


Status write_text(const std::string& path, const std::string& text) {
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  std::span<const uint8_t> pieces[] = {bytes};
  return image::write_file_atomically(path, pieces);
}

}  // namespace

int run_pack(int argc, char** argv) {
  ArgumentParser args("pack");
  args.positional("SYSTEM.xml");
  add_sdf_options(args);
  add_diagnostic_options(args);
  args.value("--output", "-o");
  args.value("--report", "-r");
  args.value("--report-json");
  args.value("--model-json");
  args.flag("--self-contained");
  args.flag("--help", "-h");
  sdf::CheckOptions options;
  DiagnosticOutput output;
  if (std::optional<int> status = parse_sdf_command(args, argc, argv, kHelp, options, &output)) return *status;
  std::string out_path = args.get("--output").value_or("system.img");

  image::PackOutcome packed = image::pack_sdf_file(*args.get("SYSTEM.xml"), options);
  if (packed.loaded.io_error) return usage_error(*packed.loaded.io_error);
  if (args.has("--werror")) packed.loaded.diagnostics.promote_warnings();
  print_diagnostics(packed.loaded.diagnostics, output);
  if (packed.loaded.diagnostics.has_errors() || !packed.image) return 1;
  const image::SystemImage& img = *packed.image;

  image::EncodedImage encoded = image::encode_image(img);
  Status written = Ok{};
  if (args.has("--self-contained")) {
    Result<std::vector<uint8_t>> self = image::read_file_bytes("/proc/self/exe");
    if (!self) return usage_error("cannot read the corokit executable: " + self.error());
    written = image::write_self_contained(out_path, *self, encoded.pieces);
  } else {
    written = image::write_file_atomically(out_path, encoded.pieces);
  }
  if (!written) return usage_error(written.error());

  if (auto report = args.get("--report")) {
    if (Status s = write_text(*report, image::report_text(img)); !s) return usage_error(s.error());
  }
  if (auto report = args.get("--report-json")) {
    if (Status s = write_text(*report, image::report_json(img).dump(2) + "\n"); !s) return usage_error(s.error());
  }
  if (auto model = args.get("--model-json")) {
    nlohmann::json j = image::system_to_json(img.system);
    if (Status s = write_text(*model, j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"); !s) {
      return usage_error(s.error());
    }
  }
  if (output.format != diag::Format::Json) {
    std::printf("corokit pack: %s: %zu protection domains, %zu memory regions, %llu bytes%s\n", out_path.c_str(),
                img.pds.size(), img.system.memory_regions.size(), static_cast<unsigned long long>(encoded.size),
                args.has("--self-contained") ? " of image in a self-contained executable" : "");
  }
  return 0;
}

}  // namespace corokit::tool
