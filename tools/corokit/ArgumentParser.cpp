#include "tools/corokit/ArgumentParser.h"

namespace corokit::tool {

void ArgumentParser::flag(const std::string& name, const std::string& alias) {
  kinds_[name] = Kind::Flag;
  if (!alias.empty()) aliases_[alias] = name;
}

void ArgumentParser::value(const std::string& name, const std::string& alias) {
  kinds_[name] = Kind::Value;
  if (!alias.empty()) aliases_[alias] = name;
}

void ArgumentParser::list(const std::string& name) { kinds_[name] = Kind::List; }

void ArgumentParser::positional(const std::string& name, bool required) {
  positionals_.emplace_back(name, required);
}

std::string ArgumentParser::canonical(const std::string& name) const {
  auto it = aliases_.find(name);
  return it == aliases_.end() ? name : it->second;
}

std::optional<std::string> ArgumentParser::parse(int argc, char** argv, int first) {
  size_t next_positional = 0;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.size() > 1 && arg[0] == '-') {
      std::string name = arg;
      std::optional<std::string> inline_value;
      if (size_t eq = arg.find('='); eq != std::string::npos && arg.starts_with("--")) {
        name = arg.substr(0, eq);
        inline_value = arg.substr(eq + 1);
      }
      name = canonical(name);
      auto kind = kinds_.find(name);
      if (kind == kinds_.end()) return "unrecognized argument '" + arg + "'";
      switch (kind->second) {
        case Kind::Flag:
          if (inline_value) return "argument " + name + " takes no value";
          values_[name].push_back("");
          break;
        case Kind::Value:
          if (inline_value) {
            values_[name].push_back(*inline_value);
          } else if (i + 1 < argc) {
            values_[name].push_back(argv[++i]);
          } else {
            return "argument " + name + ": expected a value";
          }
          break;
        case Kind::List: {
          std::vector<std::string>& out = values_[name];
          size_t before = out.size();
          if (inline_value) out.push_back(*inline_value);
          while (i + 1 < argc && argv[i + 1][0] != '-') out.push_back(argv[++i]);
          if (out.size() == before) return "argument " + name + ": expected at least one value";
          break;
        }
      }
      continue;
    }
    if (next_positional >= positionals_.size()) return "unrecognized argument '" + arg + "'";
    values_[positionals_[next_positional++].first].push_back(arg);
  }
  for (size_t p = next_positional; p < positionals_.size(); ++p) {
    if (positionals_[p].second) return "the following arguments are required: " + positionals_[p].first;
  }
  return std::nullopt;
}

std::optional<std::string> ArgumentParser::get(const std::string& name) const {
  auto it = values_.find(canonical(name));
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ArgumentParser::all(const std::string& name) const {
  auto it = values_.find(canonical(name));
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

}  // namespace corokit::tool
