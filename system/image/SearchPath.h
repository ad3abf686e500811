// Resolving the relative paths of an SDF (SDF.md §3): absolute paths as they are; relative ones in
// each --search-path directory in order, then in the current directory.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace corokit::image {

struct PathLookup {
  std::optional<std::string> found;
  std::vector<std::string> tried;  // the directories tried, for the error message
  std::string tried_list() const;  // "a, b, current directory"
};

PathLookup find_in_search_path(const std::string& path, const std::vector<std::string>& search_paths);

}  // namespace corokit::image
