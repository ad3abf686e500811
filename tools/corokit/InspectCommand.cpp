// `corokit inspect system.img`: verify an image's integrity and print what it holds.
#include <cstdio>
#include <iostream>

#include "system/image/FileBytes.h"
#include "system/image/ImageFile.h"
#include "system/image/PackReport.h"
#include "system/image/SelfContained.h"
#include "tools/corokit/ArgumentParser.h"
#include "tools/corokit/Commands.h"

namespace corokit::tool {
namespace {

const char* kHelp =
    "usage: corokit inspect IMAGE [options]\n"
    "\n"
    "Verifies every CRC and every consistency rule of a packed image (or of the image inside a\n"
    "self-contained executable) and prints the same report as 'corokit pack --report'.\n"
    "Exit status: 0 sound image, 1 damaged or inconsistent image, 2 usage or I/O problem.\n"
    "\n"
    "options:\n"
    "  --json                  print the report as JSON\n"
    "  --sections              print the section table only\n"
    "  -h, --help              show this help\n";

std::string hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", v);
  return buf;
}

}  // namespace

int run_inspect(int argc, char** argv) {
  ArgumentParser args("inspect");
  args.positional("IMAGE");
  args.flag("--json");
  args.flag("--sections");
  args.flag("--help", "-h");
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::printf("%s", kHelp);
      return 0;
    }
  }
  if (auto err = args.parse(argc, argv, 2)) {
    std::fprintf(stderr, "corokit: error: %s\n", err->c_str());
    return 2;
  }
  std::string path = *args.get("IMAGE");
  Result<std::optional<std::vector<uint8_t>>> embedded = image::read_embedded_image(path);
  if (!embedded) {
    std::fprintf(stderr, "corokit: error: %s\n", embedded.error().c_str());
    return embedded.error().find("corrupt") != std::string::npos ? 1 : 2;
  }
  std::vector<uint8_t> bytes;
  if (embedded->has_value()) {
    bytes = std::move(**embedded);
  } else {
    Result<std::vector<uint8_t>> read = image::read_file_bytes(path);
    if (!read) {
      std::fprintf(stderr, "corokit: error: %s\n", read.error().c_str());
      return 2;
    }
    bytes = std::move(*read);
  }

  Result<image::SystemImage> decoded = image::decode_image(bytes);
  if (!decoded) {
    std::fprintf(stderr, "corokit: error: %s: %s\n", path.c_str(), decoded.error().c_str());
    return 1;
  }
  Result<image::ImageLayout> layout = image::verify_image(bytes);
  if (args.has("--json")) {
    nlohmann::json j = image::report_json(*decoded);
    j["image"] = {{"path", path},
                  {"version", layout->version},
                  {"size", layout->file_size},
                  {"crc32", hex32(layout->file_crc)},
                  {"self_contained", embedded->has_value()}};
    j["image"]["sections"] = nlohmann::json::array();
    for (const image::SectionEntry& s : layout->sections) {
      j["image"]["sections"].push_back({{"kind", image::to_string(s.kind)}, {"index", s.index}, {"offset", s.offset},
                                        {"size", s.size}, {"crc32", hex32(s.crc)}});
    }
    std::cout << j.dump(2) << "\n";
    return 0;
  }
  std::printf("image %s: version %u, %llu bytes, CRC32 %s, integrity verified%s\n", path.c_str(), layout->version,
              static_cast<unsigned long long>(layout->file_size), hex32(layout->file_crc).c_str(),
              embedded->has_value() ? " (embedded in a self-contained executable)" : "");
  std::printf("sections:\n");
  for (const image::SectionEntry& s : layout->sections) {
    std::printf("  %-8s %4u  offset %10llu  size %10llu  crc32 %s\n", image::to_string(s.kind), s.index,
                static_cast<unsigned long long>(s.offset), static_cast<unsigned long long>(s.size),
                hex32(s.crc).c_str());
  }
  if (!args.has("--sections")) std::printf("\n%s", image::report_text(*decoded).c_str());
  return 0;
}

}  // namespace corokit::tool
