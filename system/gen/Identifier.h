// C and C++ identifiers derived from SDF names (PDs, memory regions, symbols): any SDF string
// becomes a valid identifier that is no keyword, no reserved name and no common libc macro, and
// the names of one scope are made unique deterministically.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace corokit::gen {

// Characters outside [A-Za-z0-9_] become '_', runs of '_' collapse (a double underscore is
// reserved), a leading digit gets a '_' prefix, a reserved leading "_X" an 'x' prefix, and a
// keyword or reserved name a '_' suffix.
std::string identifier(std::string_view name);

// An upper-case fragment of a C macro or enumerator name that follows a prefix (SERVER_CH_<part>):
// characters outside [A-Za-z0-9_] become '_', runs of '_' collapse, leading and trailing '_' go
// (the prefix and suffixes add their own), and nothing left gives "X".
std::string macro_part(std::string_view name);

// The prefix of a PD's C names: macro_part() of its name, with "PD_" before a leading digit.
std::string c_prefix(std::string_view pd_name);

// Whether `word` must not be used as a name: a C or C++ keyword, an alternative operator token, or a
// libc macro a PD may see (errno, stdin, NULL, ...).
bool is_reserved(std::string_view word);

// One scope of generated names. Each entry asks for a base name and gives a tag that is unique in
// the scope (an id, an index). Bases that occur once are kept; bases that occur several times get
// "_<tag>" on every occurrence; a name that still clashes with an earlier one gets "_2", "_3", ...
class NameScope {
 public:
  void add(std::string base, std::string tag);
  // The final names, in the order of add().
  std::vector<std::string> resolve() const;

 private:
  struct Entry {
    std::string base;
    std::string tag;
  };
  std::vector<Entry> entries_;
};

}  // namespace corokit::gen
