// `corokit graph SYSTEM.xml -o system.svg|system.dot`: a picture of the system.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "system/graph/SystemGraph.h"
#include "system/image/FileBytes.h"
#include "system/sdf/SystemLoader.h"
#include "tools/corokit/Commands.h"
#include "tools/corokit/DiagnosticOutput.h"
#include "tools/corokit/SdfOptions.h"

extern char** environ;

namespace corokit::tool {
namespace {

const char* kHelp =
    "usage: corokit graph SYSTEM.xml [-o FILE] [options]\n"
    "\n"
    "Draws the system: PDs (priority, passive, parent/child), channels (notify and ppcall\n"
    "directions), memory regions and who maps them with which permissions, IRQs.\n"
    "Without -o the DOT text goes to stdout. SVG output runs Graphviz 'dot'.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE       FILE.svg (through Graphviz dot) or FILE.dot\n"
    "  --output-format FMT     dot or svg (default: from the file name)\n"
    "%s"
    "  --format FORMAT         diagnostics: human (default), json or microkit (alias --diagnostics)\n"
    "  --werror                treat warnings as errors\n"
    "  --color WHEN            auto (default), always or never\n"
    "  -h, --help              show this help\n";


class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// Runs `dot -Tsvg -o out`, feeding it the DOT text on stdin.
Status render_svg(const std::string& dot_text, const std::string& out) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) return Error{std::string("cannot create a pipe: ") + std::strerror(errno)};
  Fd read_end(p[0]), write_end(p[1]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, read_end.get(), 0);
  std::string out_arg = "-o" + out;
  char dot[] = "dot", tsvg[] = "-Tsvg";
  char* argv[] = {dot, tsvg, out_arg.data(), nullptr};
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "dot", &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  read_end.reset();
  if (rc != 0) {
    if (rc == ENOENT) {
      return Error{"SVG output needs Graphviz 'dot', which is not installed (Debian package 'graphviz'); "
                   "write a .dot file instead"};
    }
    return Error{std::string("cannot run Graphviz dot: ") + std::strerror(rc)};
  }
  size_t done = 0;
  bool write_failed = false;
  while (done < dot_text.size()) {
    ssize_t n = ::write(write_end.get(), dot_text.data() + done, dot_text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      write_failed = true;
      break;
    }
    done += static_cast<size_t>(n);
  }
  write_end.reset();
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (write_failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Error{"Graphviz dot failed to write '" + out + "'"};
  }
  return Ok{};
}

}  // namespace

int run_graph(int argc, char** argv) {
  ArgumentParser args("graph");
  args.positional("SYSTEM.xml");
  add_sdf_options(args);
  add_diagnostic_options(args);
  args.value("--output", "-o");
  args.value("--output-format");
  args.flag("--help", "-h");
  sdf::CheckOptions options;
  DiagnosticOutput output;
  if (std::optional<int> status = parse_sdf_command(args, argc, argv, kHelp, options, &output)) return *status;

  std::optional<std::string> out = args.get("--output");
  std::string format = args.get("--output-format").value_or("");
  if (format.empty()) format = out && out->ends_with(".svg") ? "svg" : "dot";
  if (format != "dot" && format != "svg") {
    return usage_error("argument --output-format: invalid choice '" + format + "' (choose from: dot, svg)");
  }
  if (format == "svg" && !out) return usage_error("SVG output needs -o FILE");

  sdf::LoadedSystem loaded = sdf::load_system_file(*args.get("SYSTEM.xml"), options);
  if (loaded.io_error) return usage_error(*loaded.io_error);
  if (args.has("--werror")) loaded.diagnostics.promote_warnings();
  print_diagnostics(loaded.diagnostics, output);
  if (loaded.diagnostics.has_errors()) return 1;

  std::string dot = graph::system_dot(loaded.system);
  if (!out) {
    std::cout << dot;
    return 0;
  }
  if (format == "svg") {
    if (Status s = render_svg(dot, *out); !s) return usage_error(s.error());
    return 0;
  }
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(dot.data()), dot.size());
  std::span<const uint8_t> pieces[] = {bytes};
  if (Status s = image::write_file_atomically(*out, pieces); !s) return usage_error(s.error());
  return 0;
}

}  // namespace corokit::tool
