// A small command-line parser shared by the corokit subcommands.
//
// Options are `--name VALUE`, `--name=VALUE` or flags; a list option (like Microkit's
// --search-path) consumes arguments until the next one that starts with '-'. Errors come back as
// text for `corokit: error: <text>` and exit code 2.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace corokit::tool {

class ArgumentParser {
 public:
  explicit ArgumentParser(std::string command) : command_(std::move(command)) {}

  void flag(const std::string& name, const std::string& alias = {});
  void value(const std::string& name, const std::string& alias = {});
  void list(const std::string& name);
  void positional(const std::string& name, bool required = true);

  // Parses argv[first..argc); returns an error message or nothing.
  std::optional<std::string> parse(int argc, char** argv, int first);

  bool has(const std::string& name) const { return values_.count(canonical(name)) != 0; }
  std::optional<std::string> get(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;

 private:
  enum class Kind { Flag, Value, List };
  std::string canonical(const std::string& name) const;

  std::string command_;
  std::map<std::string, Kind> kinds_;
  std::map<std::string, std::string> aliases_;
  std::vector<std::pair<std::string, bool>> positionals_;
  std::map<std::string, std::vector<std::string>> values_;
};

}  // namespace corokit::tool
