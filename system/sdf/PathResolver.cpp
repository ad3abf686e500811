#include "system/sdf/PathResolver.h"

#include <sys/stat.h>

namespace corokit::sdf {
namespace {

bool is_regular_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

ResolvedPath resolve_path(const std::string& path, const std::vector<std::string>& search_paths) {
  ResolvedPath r;
  if (path.empty()) return r;
  std::vector<std::string> candidates;
  if (path.front() == '/') {
    candidates.push_back(path);
  } else {
    for (const std::string& dir : search_paths) {
      candidates.push_back(dir.empty() || dir.back() == '/' ? dir + path : dir + "/" + path);
    }
    candidates.push_back(path);
  }
  for (const std::string& c : candidates) {
    if (is_regular_file(c)) {
      r.found = true;
      r.path = c;
      return r;
    }
  }
  r.tried = std::move(candidates);
  return r;
}

std::string describe_tried(const ResolvedPath& r) {
  std::string s = "tried: ";
  for (size_t i = 0; i < r.tried.size(); ++i) s += (i ? ", " : "") + r.tried[i];
  return s;
}

}  // namespace corokit::sdf
