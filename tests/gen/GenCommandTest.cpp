// `corokit gen` as the build runs it: exit codes, messages, output files, depfile.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

struct CommandResult {
  int status = -1;
  std::string out;  // stdout and stderr
};

CommandResult corokit(const std::string& args, bool stdout_only = false) {
  std::string cmd = std::string(COROKIT_BINARY) + " " + args + (stdout_only ? " 2>/dev/null" : " 2>&1");
  CommandResult r;
  FILE* p = ::popen(cmd.c_str(), "r");
  std::array<char, 4096> buf;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int s = ::pclose(p);
  r.status = WIFEXITED(s) ? WEXITSTATUS(s) : -1;
  return r;
}

struct ScratchDir {
  std::string path = ::testing::TempDir() + "corokit-gen-" + std::to_string(::getpid()) + "/";
  ScratchDir() { std::filesystem::create_directories(path); }
  ~ScratchDir() { std::filesystem::remove_all(path); }
};

const std::string& scratch() {
  static const ScratchDir dir;
  return dir.path;
}

std::string write_temp(const std::string& name, const std::string& content) {
  std::string path = scratch() + name;
  std::ofstream(path) << content;
  return path;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kGolden = COROKIT_GEN_GOLDEN;
const std::string kSystem = kGolden + "/system.xml --search-path " + kGolden;

TEST(GenCommand, HelpAndUsageErrors) {
  CommandResult h = corokit("gen --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("usage: corokit gen SYSTEM.xml --pd NAME"), std::string::npos);
  EXPECT_NE(corokit("--help").out.find("gen "), std::string::npos) << "listed among the commands";

  CommandResult no_pd = corokit("gen " + kSystem);
  EXPECT_EQ(no_pd.status, 2);
  EXPECT_NE(no_pd.out.find("argument --pd is required"), std::string::npos) << no_pd.out;

  CommandResult lang = corokit("gen " + kSystem + " --pd server --lang rust");
  EXPECT_EQ(lang.status, 2);
  EXPECT_NE(lang.out.find("invalid choice 'rust' (choose from: cpp, c)"), std::string::npos) << lang.out;

  CommandResult ns = corokit("gen " + kSystem + " --pd server --namespace 9x");
  EXPECT_EQ(ns.status, 2);
  EXPECT_NE(ns.out.find("is not a C++ namespace name"), std::string::npos) << ns.out;

  CommandResult dep = corokit("gen " + kSystem + " --pd server --depfile " + scratch() + "x.d");
  EXPECT_EQ(dep.status, 2);
  EXPECT_NE(dep.out.find("--depfile needs -o FILE"), std::string::npos) << dep.out;
}

TEST(GenCommand, UnknownPdNamesTheSystemsPds) {
  CommandResult r = corokit("gen " + kSystem + " --pd nobody");
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.out.find("corokit: error: no protection domain named 'nobody' (the system has 'server', 'class', "
                       "'2fast', 'client', 'driver-1', 'driver_1')"),
            std::string::npos)
      << r.out;
}

TEST(GenCommand, InvalidSystemReportsDiagnosticsAndWritesNothing) {
  std::string xml = write_temp("bad.system",
                               "<system><protection_domain name=\"a\" priority=\"999\">"
                               "<program_image path=\"a.elf\"/></protection_domain></system>");
  std::string out = scratch() + "bad.h";
  CommandResult r = corokit("gen " + xml + " --pd a -o " + out);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.out.find("bad.system:1:"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(corokit("gen " + scratch() + "missing.system --pd a").status, 2);
}

TEST(GenCommand, StdoutAndFileCarryTheSameText) {
  CommandResult r = corokit("gen " + kSystem + " --pd client --lang c", true);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, read_text(kGolden + "/client.h"));
  std::string out = scratch() + "client.hpp";
  ASSERT_EQ(corokit("gen " + kSystem + " --pd client -o " + out).status, 0);
  EXPECT_EQ(read_text(out), read_text(kGolden + "/client.hpp"));
}

TEST(GenCommand, RewritesTheHeaderOnlyWhenItChanges) {
  std::string xml = write_temp("two.system",
                               "<system><protection_domain name=\"a\" priority=\"1\"><program_image path=\"a.elf\"/>"
                               "</protection_domain><protection_domain name=\"b\"><program_image path=\"b.elf\"/>"
                               "</protection_domain><channel><end pd=\"a\" id=\"1\"/><end pd=\"b\" id=\"2\"/>"
                               "</channel></system>");
  std::string out = scratch() + "a.h";
  ASSERT_EQ(corokit("gen " + xml + " --pd a -o " + out).status, 0);
  struct stat before {};
  ASSERT_EQ(::stat(out.c_str(), &before), 0);
  ::usleep(20000);
  // A change that does not concern PD a: b's priority.
  write_temp("two.system",
             "<system><protection_domain name=\"a\" priority=\"1\"><program_image path=\"a.elf\"/>"
             "</protection_domain><protection_domain name=\"b\" priority=\"7\"><program_image path=\"b.elf\"/>"
             "</protection_domain><channel><end pd=\"a\" id=\"1\"/><end pd=\"b\" id=\"2\"/>"
             "</channel></system>");
  ASSERT_EQ(corokit("gen " + xml + " --pd a -o " + out).status, 0);
  struct stat after {};
  ASSERT_EQ(::stat(out.c_str(), &after), 0);
  EXPECT_EQ(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
  EXPECT_EQ(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
  // A change that does: a's channel id.
  write_temp("two.system",
             "<system><protection_domain name=\"a\" priority=\"1\"><program_image path=\"a.elf\"/>"
             "</protection_domain><protection_domain name=\"b\" priority=\"7\"><program_image path=\"b.elf\"/>"
             "</protection_domain><channel><end pd=\"a\" id=\"5\"/><end pd=\"b\" id=\"2\"/>"
             "</channel></system>");
  ASSERT_EQ(corokit("gen " + xml + " --pd a -o " + out).status, 0);
  EXPECT_NE(read_text(out).find("b{5};"), std::string::npos) << read_text(out);
}

TEST(GenCommand, DepfileListsTheSystemAndPrefillFiles) {
  std::string out = scratch() + "server.h";
  std::string dep = scratch() + "server.d";
  ASSERT_EQ(corokit("gen " + kSystem + " --pd server --lang c -o " + out + " --depfile " + dep).status, 0);
  std::string text = read_text(dep);
  std::string golden = std::filesystem::path(kGolden).lexically_normal().string();
  EXPECT_EQ(text.rfind(std::filesystem::absolute(out).lexically_normal().string() + ": " + golden + "/system.xml", 0),
            0u)
      << text;
  EXPECT_NE(text.find(golden + "/prefill.bin"), std::string::npos) << text;
}

}  // namespace
