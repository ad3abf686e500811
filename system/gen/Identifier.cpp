#include "system/gen/Identifier.h"

#include <algorithm>
#include <map>
#include <set>

namespace corokit::gen {
namespace {

// C23 and C++23 keywords, alternative tokens, and names a PD's headers may define as macros.
constexpr std::string_view kReserved[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "atomic_cancel", "atomic_commit", "atomic_noexcept",
    "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char", "char8_t", "char16_t",
    "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
    "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
    "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "final",
    "float", "for", "friend", "goto", "if", "import", "inline", "int", "long", "module", "mutable",
    "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq", "override",
    "private", "protected", "public", "reflexpr", "register", "reinterpret_cast", "requires",
    "restrict", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast",
    "struct", "switch", "synchronized", "template", "this", "thread_local", "throw", "true", "try",
    "typedef", "typeid", "typename", "typeof", "typeof_unqual", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq", "_Alignas", "_Alignof",
    "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert",
    "_Thread_local",
    // Macros of the C library and of microkit.h a PD's translation unit may see.
    "NULL", "EOF", "errno", "stdin", "stdout", "stderr", "assert", "offsetof", "unix", "linux",
};

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Valid characters only, no run of '_'.
std::string squeeze(std::string_view name) {
  std::string out;
  for (char c : name) {
    char m = ident_char(c) ? c : '_';
    if (m == '_' && !out.empty() && out.back() == '_') continue;
    out.push_back(m);
  }
  return out.empty() ? std::string("_") : out;
}

// Leading digit, reserved leading "_X", keywords.
std::string finish(std::string out) {
  if (out[0] >= '0' && out[0] <= '9') out.insert(out.begin(), '_');
  if (out.size() > 1 && out[0] == '_' && out[1] >= 'A' && out[1] <= 'Z') out.insert(out.begin(), 'x');
  if (is_reserved(out)) out.push_back('_');
  return out;
}

std::string join(const std::string& base, const std::string& suffix) {
  return base.back() == '_' ? base + suffix : base + "_" + suffix;
}

}  // namespace

bool is_reserved(std::string_view word) {
  return std::find(std::begin(kReserved), std::end(kReserved), word) != std::end(kReserved);
}

std::string identifier(std::string_view name) { return finish(squeeze(name)); }

std::string macro_part(std::string_view name) {
  std::string out = squeeze(name);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; });
  size_t first = out.find_first_not_of('_');
  if (first == std::string::npos) return "X";
  return out.substr(first, out.find_last_not_of('_') - first + 1);
}

std::string c_prefix(std::string_view pd_name) {
  std::string out = macro_part(pd_name);
  return out[0] >= '0' && out[0] <= '9' ? "PD_" + out : out;
}

void NameScope::add(std::string base, std::string tag) { entries_.push_back({std::move(base), std::move(tag)}); }

std::vector<std::string> NameScope::resolve() const {
  std::map<std::string, int> count;
  for (const Entry& e : entries_) ++count[e.base];
  std::vector<std::string> wanted;
  for (const Entry& e : entries_) {
    wanted.push_back(count[e.base] > 1 ? join(e.base, e.tag) : e.base);
  }
  // A disambiguated name may still meet another entry's plain name: later entries yield.
  std::set<std::string> taken;
  std::vector<std::string> out;
  for (const std::string& want : wanted) {
    std::string name = want;
    for (int k = 2; taken.count(name) != 0; ++k) name = join(want, std::to_string(k));
    taken.insert(name);
    out.push_back(name);
  }
  return out;
}

}  // namespace corokit::gen
