// The `corokit check` command as users run it: exit codes, output streams and formats.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct CommandResult {
  int status = -1;
  std::string out;  // stdout and stderr, in that order
};

CommandResult corokit(const std::string& args, bool stderr_only = false) {
  std::string cmd = std::string(COROKIT_BINARY) + " " + args + (stderr_only ? " 2>&1 >/dev/null" : " 2>&1");
  CommandResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int s = ::pclose(p);
  r.status = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  return r;
}

// Files live in a directory of this process, so parallel runs do not share them.
struct ScratchDir {
  std::string path = ::testing::TempDir() + "corokit-check-" + std::to_string(::getpid()) + "/";
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() { std::filesystem::remove_all(path); }
};

const std::string& scratch_dir() {
  static const ScratchDir dir;
  return dir.path;
}

std::string write_temp(const std::string& name, const std::string& content) {
  std::string path = scratch_dir() + name;
  std::ofstream(path) << content;
  return path;
}

const char* kValid = "<system><protection_domain name=\"a\"><program_image path=\"a.elf\"/></protection_domain></system>";
const char* kInvalid = "<system><protection_domain name=\"a\" priority=\"999\"><program_image path=\"a.elf\"/></protection_domain></system>";
const char* kWarning = "<system><memory_region name=\"m\" size=\"0x1000\"/><protection_domain name=\"a\"><program_image path=\"a.elf\"/></protection_domain></system>";

TEST(CheckCommand, VersionAndHelp) {
  CommandResult v = corokit("--version");
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("corokit ", 0), 0u);
  CommandResult h = corokit("check --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("usage: corokit check"), std::string::npos);
  EXPECT_NE(h.out.find("--search-path"), std::string::npos);
  EXPECT_EQ(corokit("").status, 2);
  EXPECT_EQ(corokit("frobnicate").status, 2);
}

TEST(CheckCommand, ExitCodes) {
  EXPECT_EQ(corokit("check " + write_temp("valid.xml", kValid)).status, 0);
  EXPECT_EQ(corokit("check " + write_temp("invalid.xml", kInvalid)).status, 1);
  std::string warn = write_temp("warn.xml", kWarning);
  EXPECT_EQ(corokit("check " + warn).status, 0);
  EXPECT_EQ(corokit("check " + warn + " --werror").status, 1);
  EXPECT_EQ(corokit("check /nonexistent.xml").status, 2);
  EXPECT_EQ(corokit("check").status, 2);
  EXPECT_EQ(corokit("check " + warn + " --format yaml").status, 2);
  EXPECT_EQ(corokit("check " + warn + " --target pdp11").status, 2);
  EXPECT_EQ(corokit("check " + warn + " --strict --lift-limits").status, 2);
  EXPECT_EQ(corokit("check " + warn + " --target aarch64 --lift-limits").status, 2);
  EXPECT_EQ(corokit("check " + warn + " --bogus").status, 2);
}

TEST(CheckCommand, UsageErrorsAreWorded) {
  CommandResult r = corokit("check");
  EXPECT_NE(r.out.find("corokit: error: the following arguments are required: SYSTEM.xml"), std::string::npos) << r.out;
  r = corokit("check x.xml --bogus");
  EXPECT_NE(r.out.find("corokit: error: unrecognized argument '--bogus'"), std::string::npos) << r.out;
}

TEST(CheckCommand, HumanOutputOnStderr) {
  std::string path = write_temp("invalid2.xml", kInvalid);
  CommandResult r = corokit("check " + path + " --color never", true);
  EXPECT_NE(r.out.find(path + ":1:37: error[A01]: priority must be between 0 and 254"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 error, 0 warnings"), std::string::npos) << r.out;
}

TEST(CheckCommand, JsonOnStdout) {
  std::string path = write_temp("invalid3.xml", kInvalid);
  CommandResult r = corokit("check " + path + " --format=json 2>/dev/null");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out.rfind("{", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"code\": \"A01\""), std::string::npos);
  CommandResult alias = corokit("check " + path + " --diagnostics json 2>/dev/null");
  EXPECT_EQ(alias.out, r.out);
}

TEST(CheckCommand, MicrokitFormat) {
  std::string path = write_temp("warn2.xml", kWarning);
  CommandResult r = corokit("check " + path + " --format microkit");
  EXPECT_EQ(r.out, "WARNING: unused memory region 'm'\n");
}

TEST(CheckCommand, SearchPathConsumesUntilNextOption) {
  std::string dir = scratch_dir();
  write_temp("blob.bin", "x");
  std::string path = write_temp("prefilled.xml",
      "<system><memory_region name=\"m\" prefill_path=\"blob.bin\"/><protection_domain name=\"a\">"
      "<program_image path=\"a.elf\"/><map mr=\"m\" vaddr=\"0x20000000\"/></protection_domain></system>");
  EXPECT_EQ(corokit("check " + path + " --search-path /nonexistent " + dir + " --strict").status, 0);
  EXPECT_EQ(corokit("check " + path + " --search-path /nonexistent --strict").status, 1);
}

}  // namespace
