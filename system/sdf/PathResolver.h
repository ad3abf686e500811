// Finding the files an SDF names (SDF.md §3 "Paths"): absolute paths as they are; relative ones in
// each --search-path directory in order, then in the current directory (not the SDF's directory).
#pragma once

#include <string>
#include <vector>

namespace corokit::sdf {

struct ResolvedPath {
  bool found = false;
  std::string path;                // where it was found
  std::vector<std::string> tried;  // every candidate, in order, when not found
};

ResolvedPath resolve_path(const std::string& path, const std::vector<std::string>& search_paths);

// "tried: a/x, b/x, ./x" — for notes on "unable to find" diagnostics.
std::string describe_tried(const ResolvedPath& r);

}  // namespace corokit::sdf
