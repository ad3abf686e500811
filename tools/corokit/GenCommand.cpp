// `corokit gen SYSTEM.xml --pd NAME [--lang cpp|c] [-o FILE]`: the typed bindings of one PD.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "system/gen/BindingGenerator.h"
#include "system/image/FileBytes.h"
#include "system/sdf/SystemLoader.h"
#include "tools/corokit/Commands.h"
#include "tools/corokit/DiagnosticOutput.h"
#include "tools/corokit/SdfOptions.h"

namespace corokit::tool {
namespace {

const char* kHelp =
    "usage: corokit gen SYSTEM.xml --pd NAME [--lang cpp|c] [-o FILE] [options]\n"
    "\n"
    "Writes the bindings of one PD (docs/gen.md). C++: constexpr channel handles whose types\n"
    "carry their facets, IRQ handles, region descriptors with their perms, child handles and\n"
    "setvar values. C: #defines and enums. Both check the values against the packed image\n"
    "before init(). Without -o the header goes to stdout; with -o the file is only rewritten\n"
    "when its contents change.\n"
    "\n"
    "options:\n"
    "  --pd NAME               the protection domain (required)\n"
    "  --lang LANG             cpp (default) or c\n"
    "  -o, --output FILE       the header to write\n"
    "  --namespace NS          C++: the PD's namespace is NS::<pd> (default: bindings)\n"
    "  --depfile FILE          also write a Makefile depfile (the SDF and prefill files)\n"
    "%s"
    "  --format FORMAT         diagnostics: human (default), json or microkit (alias --diagnostics)\n"
    "  --werror                treat warnings as errors\n"
    "  --color WHEN            auto (default), always or never\n"
    "  -h, --help              show this help\n";


std::span<const uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Writes `text` to `path` unless the file already holds exactly that, so that a build does not
// recompile PDs when the SDF changed in ways that do not concern them.
Status write_if_changed(const std::string& path, const std::string& text) {
  if (Result<std::vector<uint8_t>> old = image::read_file_bytes(path)) {
    if (old->size() == text.size() && std::equal(old->begin(), old->end(), text.begin())) return Ok{};
  }
  std::span<const uint8_t> pieces[] = {bytes_of(text)};
  return image::write_file_atomically(path, pieces);
}

// A path in Makefile syntax.
std::string make_escaped(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#' || c == '\\') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}

std::string absolute(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  return ec ? path : p.lexically_normal().string();
}

}  // namespace

int run_gen(int argc, char** argv) {
  ArgumentParser args("gen");
  args.positional("SYSTEM.xml");
  add_sdf_options(args);
  add_diagnostic_options(args);
  args.value("--pd");
  args.value("--lang");
  args.value("--output", "-o");
  args.value("--namespace");
  args.value("--depfile");
  args.flag("--help", "-h");
  sdf::CheckOptions options;
  DiagnosticOutput output;
  if (std::optional<int> status = parse_sdf_command(args, argc, argv, kHelp, options, &output)) return *status;

  std::optional<std::string> pd = args.get("--pd");
  if (!pd) return usage_error("argument --pd is required (the PD to generate bindings for)");
  gen::GenOptions gen_options;
  std::string lang = args.get("--lang").value_or("cpp");
  if (lang == "c") {
    gen_options.language = gen::Language::C;
  } else if (lang != "cpp") {
    return usage_error("argument --lang: invalid choice '" + lang + "' (choose from: cpp, c)");
  }
  if (auto ns = args.get("--namespace")) gen_options.cpp_namespace = *ns;
  std::optional<std::string> out = args.get("--output");
  std::optional<std::string> depfile = args.get("--depfile");
  if (depfile && !out) return usage_error("argument --depfile needs -o FILE");

  std::string xml = *args.get("SYSTEM.xml");
  gen_options.source = std::filesystem::path(xml).filename().string();
  sdf::LoadedSystem loaded = sdf::load_system_file(xml, options);
  if (loaded.io_error) return usage_error(*loaded.io_error);
  if (args.has("--werror")) loaded.diagnostics.promote_warnings();
  print_diagnostics(loaded.diagnostics, output);
  if (loaded.diagnostics.has_errors()) return 1;

  Result<std::string> text = gen::generate_bindings(loaded.system, *pd, options.target, gen_options);
  if (!text) return usage_error(text.error());
  if (!out) {
    std::cout << *text;
    return 0;
  }
  if (Status s = write_if_changed(*out, *text); !s) return usage_error(s.error());
  if (depfile) {
    std::string deps = make_escaped(absolute(*out)) + ": " + make_escaped(absolute(xml));
    for (const sdf::MemoryRegion& mr : loaded.system.memory_regions) {
      if (!mr.prefill_resolved.empty()) deps += " \\\n  " + make_escaped(absolute(mr.prefill_resolved));
    }
    deps += "\n";
    if (Status s = write_if_changed(*depfile, deps); !s) return usage_error(s.error());
  }
  return 0;
}

}  // namespace corokit::tool
