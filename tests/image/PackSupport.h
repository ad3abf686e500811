// Packing SDF text in tests: host target, the ELF fixtures directory (and optionally a scratch
// directory) as search paths, and helpers to look at the diagnostics.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "system/image/ImagePacker.h"
#include "system/sdf/Target.h"

namespace corokit::test {

inline sdf::CheckOptions pack_options(std::vector<std::string> extra_search = {}) {
  sdf::CheckOptions o;
  o.target = *sdf::builtin_profile("host", 2);
  o.search_paths = std::move(extra_search);
  o.search_paths.push_back(COROKIT_ELF_FIXTURES);
  return o;
}

inline image::PackOutcome pack_text(const std::string& xml, std::vector<std::string> extra_search = {}) {
  return image::pack_sdf_text(xml, "test.xml", pack_options(std::move(extra_search)));
}

// "line:col code message" for every diagnostic, one per line.
inline std::string diagnostics_of(const image::PackOutcome& p) {
  std::string s;
  for (const diag::Diagnostic& d : p.loaded.diagnostics.all()) {
    s += std::to_string(d.range.line) + ":" + std::to_string(d.range.column) + " " + d.code + " " + d.message + "\n";
  }
  return s;
}

// A scratch directory removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    char tmpl[] = "/tmp/corokit-image-test-XXXXXX";
    path_ = ::mkdtemp(tmpl);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) const {
    std::ofstream out(file(name), std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file(name);
  }
  std::string write(const std::string& name, const std::string& text) const {
    return write(name, std::vector<uint8_t>(text.begin(), text.end()));
  }

 private:
  std::string path_;
};

}  // namespace corokit::test
