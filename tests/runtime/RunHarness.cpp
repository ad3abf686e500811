#include "tests/runtime/RunHarness.h"

#include <sys/mman.h>
#include <unistd.h>

#include <sstream>

#include "tests/runtime/TestImage.h"

namespace corokit::testing {

runtime::RunOptions test_options() {
  runtime::RunOptions o;
  o.prefix = false;
  o.colour = runtime::RunOptions::Colour::Never;
  o.timeout_s = 20;
  o.sched = runtime::RunOptions::Sched::Other;
  return o;
}

namespace {

Captured run_file(const std::string& xml, const std::vector<std::string>& search, const runtime::RunOptions& options) {
  Captured c;
  Result<image::SystemImage> img = make_test_image(xml, search);
  if (!img) {
    c.error = img.error();
    return c;
  }
  int fd = memfd_create("run-output", MFD_CLOEXEC);
  c.result = runtime::run_system(*img, options, fd);
  off_t size = lseek(fd, 0, SEEK_END);
  c.output.resize(static_cast<size_t>(size));
  if (size > 0) (void)!pread(fd, c.output.data(), static_cast<size_t>(size), 0);
  close(fd);
  std::istringstream in(c.output);
  for (std::string line; std::getline(in, line);) c.lines.push_back(line);
  return c;
}

}  // namespace

Captured run_example(const std::string& system, runtime::RunOptions options, const std::string& lang) {
  std::string xml = std::string(COROKIT_SOURCE_DIR) + "/examples/" + system;
  std::string dir = xml.substr(0, xml.rfind('/'));
  return run_file(xml, {std::string(COROKIT_EXAMPLES_BIN) + "/" + lang, dir}, options);
}

Captured run_test_system(const std::string& name, runtime::RunOptions options) {
  std::string xml = std::string(COROKIT_SOURCE_DIR) + "/tests/runtime/systems/" + name;
  return run_file(xml, {COROKIT_TEST_PDS}, options);
}

std::vector<std::string> without_warnings(const Captured& c) {
  std::vector<std::string> out;
  for (const std::string& l : c.lines) {
    if (l.rfind("MON|WARN", 0) != 0) out.push_back(l);
  }
  return out;
}

}  // namespace corokit::testing
