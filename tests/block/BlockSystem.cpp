#include "tests/block/BlockSystem.h"

#include <sys/mman.h>
#include <unistd.h>

#include <sstream>

#include "system/diag/DiagnosticRender.h"
#include "system/image/ImagePacker.h"

namespace corokit::testing {

Result<image::SystemImage> pack_block_system(const std::string& sdf, std::vector<std::string> search) {
  sdf::CheckOptions options;
  search.push_back(COROKIT_BLOCK_PDS);
  search.push_back(COROKIT_BLOCK_TEST_PDS);
  search.push_back(sdf.substr(0, sdf.rfind('/')));
  options.search_paths = search;
  image::PackOutcome packed = image::pack_sdf_file(sdf, options);
  if (packed.loaded.io_error) return Error{*packed.loaded.io_error};
  if (!packed.image) return Error{"cannot pack " + sdf + ":\n" + diag::render_human(packed.loaded.diagnostics)};
  return std::move(*packed.image);
}

runtime::RunOptions block_run_options(double timeout_s) {
  runtime::RunOptions o;
  o.prefix = true;
  o.colour = runtime::RunOptions::Colour::Never;
  o.timeout_s = timeout_s;
  o.sched = runtime::RunOptions::Sched::Other;
  return o;
}

runtime::DiskOption disk_option(const std::string& path, bool read_only) {
  runtime::DiskOption d;
  d.path = path;
  d.read_only = read_only;
  return d;
}

BlockRun run_block_system(const image::SystemImage& image, const runtime::RunOptions& options) {
  BlockRun run;
  int fd = memfd_create("block-run-output", MFD_CLOEXEC);
  run.result = runtime::run_system(image, options, fd);
  off_t size = lseek(fd, 0, SEEK_END);
  run.output.resize(static_cast<size_t>(size));
  if (size > 0) (void)!pread(fd, run.output.data(), static_cast<size_t>(size), 0);
  close(fd);
  std::istringstream in(run.output);
  for (std::string line; std::getline(in, line);) run.lines.push_back(line);
  return run;
}

std::vector<std::string> lines_with(const BlockRun& run, const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& l : run.lines) {
    if (l.find(text) != std::string::npos) out.push_back(l);
  }
  return out;
}

}  // namespace corokit::testing
