#include "system/sdf/SystemLoader.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "system/sdf/DocumentParser.h"
#include "system/sdf/Reporter.h"
#include "system/sdf/SystemValidator.h"

namespace corokit::sdf {

LoadedSystem load_system_text(std::string text, const std::string& file, const CheckOptions& options) {
  LoadedSystem out;
  out.file = file;
  out.text = std::move(text);
  out.source = SourceMap::scan(out.text);
  Reporter reporter(out.file, out.source, options, out.diagnostics);
  if (parse_document(out.text, out.source, reporter, out.system)) {
    validate_system(out.system, reporter);
  }
  out.diagnostics.sort();
  return out;
}

LoadedSystem load_system_file(const std::string& path, const CheckOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadedSystem out;
    out.file = path;
    out.io_error = "cannot read '" + path + "': " + std::strerror(errno);
    return out;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  if (in.bad()) {
    LoadedSystem out;
    out.file = path;
    out.io_error = "cannot read '" + path + "'";
    return out;
  }
  return load_system_text(std::move(buf).str(), path, options);
}

}  // namespace corokit::sdf
