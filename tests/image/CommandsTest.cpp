// The pack, inspect and graph subcommands as users run them: the real corokit binary.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "system/image/FileBytes.h"
#include "system/image/ImageFile.h"
#include "tests/image/PackSupport.h"

extern char** environ;

namespace corokit::image {
namespace {

struct Ran {
  int exit_code = -1;
  std::string out, err;
};

std::string slurp(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  return s;
}

// Runs `program args...` with stdout and stderr captured in files (no pipe deadlocks).
Ran run(const std::string& program, std::vector<std::string> args, const test::ScratchDir& dir,
        char** env = environ) {
  std::string out_path = dir.file(".stdout"), err_path = dir.file(".stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addchdir_np(&actions, dir.path().c_str());
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Ran r;
  pid_t pid = 0;
  if (posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), env) == 0) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  posix_spawn_file_actions_destroy(&actions);
  int fd = ::open(out_path.c_str(), O_RDONLY);
  r.out = slurp(fd);
  ::close(fd);
  fd = ::open(err_path.c_str(), O_RDONLY);
  r.err = slurp(fd);
  ::close(fd);
  return r;
}

Ran corokit(std::vector<std::string> args, const test::ScratchDir& dir, char** env = environ) {
  return run(COROKIT_EXE, std::move(args), dir, env);
}

const char* kSystem = R"(<system>
  <memory_region name="buf" size="0x1000" />
  <protection_domain name="one" priority="2">
    <program_image path="pd_bss.elf" />
    <map mr="buf" vaddr="0x20000000" setvar_vaddr="buffer_vaddr" />
  </protection_domain>
  <protection_domain name="two" priority="1">
    <program_image path="pd_data.elf" />
    <map mr="buf" vaddr="0x20000000" perms="r" />
  </protection_domain>
  <channel><end pd="one" id="0" /><end pd="two" id="0" /></channel>
</system>
)";

class Commands : public ::testing::Test {
 protected:
  void SetUp() override { dir_.write("system.xml", std::string(kSystem)); }
  std::vector<std::string> pack_args(std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"pack", "system.xml", "--search-path", COROKIT_ELF_FIXTURES};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  test::ScratchDir dir_;
};

TEST_F(Commands, PackThenInspect) {
  Ran p = corokit(
      pack_args({"-o", "system.img", "-r", "report.txt", "--report-json", "report.json", "--model-json", "model.json"}),
      dir_);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  EXPECT_NE(p.out.find("system.img: 2 protection domains"), std::string::npos) << p.out;
  Result<std::vector<uint8_t>> report = read_file_bytes(dir_.file("report.txt"));
  ASSERT_TRUE(report.ok());
  std::string report_text(report->begin(), report->end());
  EXPECT_NE(report_text.find("buffer_vaddr @ 0x"), std::string::npos);
  ASSERT_TRUE(read_file_bytes(dir_.file("report.json")).ok());
  std::vector<uint8_t> model = *read_file_bytes(dir_.file("model.json"));
  nlohmann::json m = nlohmann::json::parse(model.begin(), model.end(), nullptr, false);
  ASSERT_TRUE(m.is_object());
  EXPECT_EQ(m["pds"][1]["name"], "two");
  EXPECT_EQ(m["memory_regions"][0]["name"], "buf");

  Ran i = corokit({"inspect", "system.img"}, dir_);
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_NE(i.out.find("integrity verified"), std::string::npos);
  EXPECT_NE(i.out.find(report_text), std::string::npos) << "inspect prints the pack report";

  Ran j = corokit({"inspect", "--json", "system.img"}, dir_);
  ASSERT_EQ(j.exit_code, 0) << j.err;
  nlohmann::json doc = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(doc["protection_domains"][0]["name"], "one");
  EXPECT_EQ(doc["image"]["version"], 2);
}

// `corokit inspect` says which PDs share an ELF; a damaged ELF reference is refused.
TEST_F(Commands, InspectShowsSharedElfs) {
  dir_.write("shared.xml", std::string(R"(<system>
  <protection_domain name="one" priority="3"><program_image path="pd_bss.elf" /></protection_domain>
  <protection_domain name="two" priority="2"><program_image path="pd_data.elf" /></protection_domain>
  <protection_domain name="three" priority="1"><program_image path="pd_data.elf" /></protection_domain>
</system>)"));
  ASSERT_EQ(corokit({"pack", "shared.xml", "--search-path", COROKIT_ELF_FIXTURES, "-o", "shared.img"}, dir_).exit_code, 0);
  Ran i = corokit({"inspect", "shared.img"}, dir_);
  ASSERT_EQ(i.exit_code, 0) << i.err;
  EXPECT_NE(i.out.find("# ELFs (2, "), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("; run by 2 PDs: 'two', 'three'"), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("(ELF 1, "), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("bytes, shared with 1 other PD)"), std::string::npos) << i.out;
  Ran j = corokit({"inspect", "--json", "shared.img"}, dir_);
  nlohmann::json doc = nlohmann::json::parse(j.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << j.out;
  EXPECT_EQ(doc["elfs"][1]["pds"], nlohmann::json({"two", "three"}));
  EXPECT_EQ(doc["protection_domains"][2]["image"]["elf"], 1);

  std::vector<uint8_t> bytes = *read_file_bytes(dir_.file("shared.img"));
  std::string from = "\"elf\":1,", to = "\"elf\":5,";
  auto at = std::search(bytes.begin(), bytes.end(), from.begin(), from.end());
  ASSERT_NE(at, bytes.end());
  std::copy(to.begin(), to.end(), at);
  ASSERT_TRUE(reseal_image(bytes));
  dir_.write("bad_ref.img", bytes);
  Ran bad = corokit({"inspect", "bad_ref.img"}, dir_);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("PD section of PD 1 refers to ELF 5, but the image has 2 ELF sections"), std::string::npos)
      << bad.err;
}

TEST_F(Commands, RepacksAreByteIdentical) {
  ASSERT_EQ(corokit(pack_args({"-o", "a.img"}), dir_).exit_code, 0);
  ASSERT_EQ(corokit(pack_args({"-o", "b.img"}), dir_).exit_code, 0);
  EXPECT_EQ(*read_file_bytes(dir_.file("a.img")), *read_file_bytes(dir_.file("b.img")));
}

TEST_F(Commands, InspectRejectsDamage) {
  ASSERT_EQ(corokit(pack_args({"-o", "system.img"}), dir_).exit_code, 0);
  std::vector<uint8_t> bytes = *read_file_bytes(dir_.file("system.img"));
  bytes[bytes.size() / 2] ^= 0x10;
  dir_.write("damaged.img", bytes);
  Ran i = corokit({"inspect", "damaged.img"}, dir_);
  EXPECT_EQ(i.exit_code, 1);
  EXPECT_NE(i.err.find("corrupt"), std::string::npos) << i.err;
  Ran missing = corokit({"inspect", "absent.img"}, dir_);
  EXPECT_EQ(missing.exit_code, 2);
}

TEST_F(Commands, PackReportsErrorsAndUsageProblems) {
  dir_.write("bad.xml", std::string(R"(<system>
  <protection_domain name="x"><program_image path="pd_plain.elf" /></protection_domain>
</system>)"));
  Ran bad = corokit({"pack", "bad.xml", "--search-path", COROKIT_ELF_FIXTURES, "-o", "bad.img"}, dir_);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("bad.xml:2:31: error[L08]: program image for PD 'x' does not define 'microkit_name'"),
            std::string::npos) << bad.err;
  EXPECT_FALSE(read_file_bytes(dir_.file("bad.img")).ok()) << "no image on errors";

  Ran json = corokit({"pack", "bad.xml", "--search-path", COROKIT_ELF_FIXTURES, "--format", "json"}, dir_);
  EXPECT_EQ(json.exit_code, 1);
  EXPECT_NE(json.out.find("\"code\": \"L08\""), std::string::npos) << json.out;

  EXPECT_EQ(corokit({"pack", "absent.xml"}, dir_).exit_code, 2);
  EXPECT_EQ(corokit({"pack"}, dir_).exit_code, 2);
  Ran unknown = corokit({"pack", "system.xml", "--bogus"}, dir_);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("corokit: error: unrecognized argument '--bogus'"), std::string::npos);
}

TEST_F(Commands, SelfContainedExecutableCarriesTheImage) {
  Ran p = corokit(pack_args({"-o", "system", "--self-contained"}), dir_);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  // The executable is corokit booting its own image: it takes corokit run's options.
  Ran help = run(dir_.file("system"), {"--help"}, dir_);
  EXPECT_EQ(help.exit_code, 0) << help.err;
  EXPECT_NE(help.out.find("carries a packed system"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--single-runner"), std::string::npos) << help.out;
  Ran bad = run(dir_.file("system"), {"--bogus"}, dir_);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown option '--bogus'"), std::string::npos) << bad.err;
  Ran i = corokit({"inspect", "system"}, dir_);
  EXPECT_EQ(i.exit_code, 0) << i.err;
  EXPECT_NE(i.out.find("embedded in a self-contained executable"), std::string::npos);
}

TEST_F(Commands, GraphWritesDotAndSvg) {
  Ran dot = corokit({"graph", "system.xml", "-o", "system.dot"}, dir_);
  ASSERT_EQ(dot.exit_code, 0) << dot.err;
  std::vector<uint8_t> text = *read_file_bytes(dir_.file("system.dot"));
  EXPECT_EQ(std::string(text.begin(), text.begin() + 14), "digraph system");

  Ran stdout_dot = corokit({"graph", "system.xml"}, dir_);
  EXPECT_EQ(stdout_dot.out, std::string(text.begin(), text.end()));

  Ran svg = corokit({"graph", "system.xml", "-o", "system.svg"}, dir_);
  ASSERT_EQ(svg.exit_code, 0) << svg.err;
  std::vector<uint8_t> s = *read_file_bytes(dir_.file("system.svg"));
  EXPECT_NE(std::string(s.begin(), s.end()).find("<svg"), std::string::npos);

  std::string path = "PATH=" + dir_.path();  // no dot there
  char* env[] = {path.data(), nullptr};
  Ran no_dot = corokit({"graph", "system.xml", "-o", "x.svg"}, dir_, env);
  EXPECT_EQ(no_dot.exit_code, 2);
  EXPECT_NE(no_dot.err.find("Graphviz"), std::string::npos) << no_dot.err;
}

// The whole chain on Microkit's examples, built with the SDK: pack, then boot through corokit run
// (and as a self-contained executable). The setvar example prints the packer's pseudo-physical
// choices; mr_prefill checks the prefilled bytes and the patched length.
TEST_F(Commands, PackedExamplesBoot) {
  const std::string examples = COROKIT_EXAMPLES_SRC, elfs = COROKIT_EXAMPLES_ELFS;
  Ran p = corokit({"pack", examples + "/setvar/setvar.system", "--search-path", elfs, "-o", "setvar.img"}, dir_);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  Ran r = corokit({"run", "setvar.img", "--timeout", "10", "--until-idle", "--no-prefix"}, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* line : {"Virtual address of 'mr_with_paddr': 536870912\n",
                           "Physical address of 'mr_with_paddr': 2147483648\n",
                           "Physical address of 'small_mr_no_paddr': 1073741824\n",   // 0x40000000
                           "Physical address of 'large_mr_no_paddr': 1075838976\n",   // 0x40200000, 2 MiB aligned
                           "Physical address of 'pl011_paddr': 150994944\n"}) {
    EXPECT_NE(r.out.find(line), std::string::npos) << line << r.out;
  }

  p = corokit({"pack", examples + "/mr_prefill/mr_prefill.system", "--search-path", elfs, examples + "/mr_prefill",
               "-o", "mr_prefill", "--self-contained"},
              dir_);
  ASSERT_EQ(p.exit_code, 0) << p.err;
  r = run(dir_.file("mr_prefill"), {"--timeout", "10", "--until-idle", "--no-prefix"}, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("prefilled data OK!\n"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace corokit::image
