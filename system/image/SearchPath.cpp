#include "system/image/SearchPath.h"

#include <sys/stat.h>

namespace corokit::image {
namespace {

bool is_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string PathLookup::tried_list() const {
  std::string s;
  for (const std::string& dir : tried) {
    if (!s.empty()) s += ", ";
    s += dir.empty() ? "current directory" : dir;
  }
  return s;
}

PathLookup find_in_search_path(const std::string& path, const std::vector<std::string>& search_paths) {
  PathLookup r;
  if (!path.empty() && path.front() == '/') {
    if (is_file(path)) r.found = path;
    return r;
  }
  std::vector<std::string> dirs = search_paths;
  dirs.push_back("");  // the current directory, last
  for (const std::string& dir : dirs) {
    r.tried.push_back(dir);
    std::string candidate = dir.empty() ? path : (dir.back() == '/' ? dir + path : dir + "/" + path);
    if (is_file(candidate)) {
      r.found = candidate;
      return r;
    }
  }
  return r;
}

}  // namespace corokit::image
