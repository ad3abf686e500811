// Whole system files: valid fixtures for every element on each target (the target is the file
// name's prefix), and every example system of examples/, must check without a diagnostic.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/sdf/SdfTestSupport.h"

namespace corokit::sdf::testing {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_under(const fs::path& dir, bool recursive) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  auto add = [&](const fs::directory_entry& e) {
    if (e.is_regular_file() && e.path().extension() == ".system") out.push_back(e.path());
  };
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) add(e);
  } else {
    for (const auto& e : fs::directory_iterator(dir)) add(e);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SystemFiles, ValidFixturesForEveryTarget) {
  fs::path dir = fs::path(COROKIT_SOURCE_DIR) / "tests/sdf/fixtures/valid";
  std::vector<fs::path> files = files_under(dir, false);
  ASSERT_GE(files.size(), 4u);
  for (const fs::path& f : files) {
    std::string target = f.filename().string().substr(0, f.filename().string().find('-'));
    CheckOptions o = options_for(target, 1);
    o.search_paths = {dir.string()};
    LoadedSystem r = load_system_file(f.string(), o);
    EXPECT_FALSE(r.io_error) << f;
    EXPECT_TRUE(r.diagnostics.empty()) << f << "\n" << dump(r);
  }
}

TEST(SystemFiles, ExampleSystemsCheckClean) {
  std::vector<fs::path> files = files_under(fs::path(COROKIT_SOURCE_DIR) / "examples", true);
  ASSERT_FALSE(files.empty());
  for (const fs::path& f : files) {
    CheckOptions o = options_for("host", 2);
    o.search_paths = {f.parent_path().string()};
    LoadedSystem r = load_system_file(f.string(), o);
    EXPECT_TRUE(r.ok()) << f << "\n" << dump(r);
    EXPECT_EQ(r.diagnostics.errors(), 0u) << f;
  }
}

TEST(SystemFiles, MissingFileIsAnIoError) {
  LoadedSystem r = load_system_file("/nonexistent/system.xml", options_for("host"));
  ASSERT_TRUE(r.io_error.has_value());
  EXPECT_NE(r.io_error->find("No such file"), std::string::npos);
}

}  // namespace
}  // namespace corokit::sdf::testing
