// The host board's console device (IRQ 33): input reaches the driver PD as an interrupt, its output
// reaches the backend: stdio (the run's input descriptor), file=PATH, pty.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "system/runtime/Monitor.h"
#include "tests/runtime/RunHarness.h"
#include "tests/runtime/TestImage.h"

namespace corokit::testing {
namespace {

using ::testing::HasSubstr;

std::string echo_system() { return std::string(COROKIT_SOURCE_DIR) + "/tests/runtime/systems/echo.system"; }

std::string read_all(int fd) {
  off_t size = lseek(fd, 0, SEEK_END);
  std::string s(static_cast<size_t>(size), '\0');
  if (size > 0) (void)!pread(fd, s.data(), s.size(), 0);
  return s;
}

TEST(Console, StdioInputReachesTheDriverAsIrq33) {
  int p[2];
  ASSERT_EQ(pipe(p), 0);
  ASSERT_EQ(write(p[1], "hello\nworld\n", 12), 12);
  close(p[1]);
  std::string out_path = "/tmp/corokit-console-" + std::to_string(getpid());
  runtime::RunOptions o = test_options();
  o.console_input_fd = p[0];
  o.console = "file=" + out_path;
  o.until = "echo: world";
  Captured c = run_test_system("echo.system", o);
  close(p[0]);
  ASSERT_EQ(c.error, "");
  EXPECT_THAT(without_warnings(c), ::testing::ElementsAre("echo: ready", "echo: hello", "echo: world")) << c.output;
  std::ifstream f(out_path);
  std::stringstream raw;
  raw << f.rdbuf();
  EXPECT_EQ(raw.str(), "echo: hello\necho: world\n");  // the device's raw output, unprefixed
  std::remove(out_path.c_str());
}

TEST(Console, PtyInputReachesTheDriverAndItsOutputTheTerminal) {
  Result<image::SystemImage> img = make_test_image(echo_system(), {COROKIT_TEST_PDS});
  ASSERT_TRUE(img.ok()) << img.error();
  runtime::RunOptions o = test_options();
  o.console = "pty";
  o.until = "echo: stop";  // sent once the first echo was read: closing the pty flushes it
  int out = memfd_create("console-output", MFD_CLOEXEC);
  runtime::RunResult result;
  // A jthread: joined on every way out of the test (the run ends by itself at its timeout).
  std::jthread monitor([&] { result = runtime::run_system(*img, o, out); });

  // The monitor prints the terminal's path first.
  std::string path;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (path.empty() && std::chrono::steady_clock::now() < until) {
    std::string text = read_all(out);
    size_t at = text.find("MON|INFO: console on ");
    size_t nl = at == std::string::npos ? std::string::npos : text.find('\n', at);
    if (nl != std::string::npos && text.find("echo: ready") != std::string::npos) {
      path = text.substr(at + 21, nl - at - 21);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  ASSERT_FALSE(path.empty()) << read_all(out);
  EXPECT_THAT(path, HasSubstr("/dev/pts/"));
  int term = open(path.c_str(), O_RDWR | O_NOCTTY);
  ASSERT_GE(term, 0);
  ASSERT_EQ(write(term, "over the pty\r", 13), 13);
  std::string echoed;
  pollfd pfd{term, POLLIN, 0};
  while (echoed.find('\n') == std::string::npos && poll(&pfd, 1, 10000) > 0) {
    char buf[64];
    ssize_t n = read(term, buf, sizeof buf);
    if (n <= 0) break;
    echoed.append(buf, static_cast<size_t>(n));
  }
  ASSERT_EQ(write(term, "stop\r", 5), 5);
  monitor.join();
  close(term);
  EXPECT_EQ(echoed, "echo: over the pty\n");
  std::string text = read_all(out);
  close(out);
  EXPECT_THAT(text, HasSubstr("echo: over the pty")) << text;
  EXPECT_EQ(result.exit_code, 0);
}

}  // namespace
}  // namespace corokit::testing
