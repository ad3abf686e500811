// Interop with an independent client: `openssl s_client` (the CLI scripts/setup installs) connects
// over loopback TCP to a server TlsEngine that this test drives over a blocking socket. The client
// asks for one protocol version, verifies our chain and name, sends a line and prints the reply.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pds/tls/TlsConfig.h"
#include "pds/tls/TlsEngine.h"
#include "tests/tls/TestCredentials.h"

extern char** environ;

namespace corokit::tls {
namespace {

using testing::bytes;
using testing::credentials;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// `openssl s_client -quiet VERSION_FLAG` against 127.0.0.1:port, its stdin the request, its stdout
// and stderr kept in files. The destructor kills it if it is still running.
class SClient {
 public:
  SClient(std::uint16_t port, const std::string& version_flag, const std::string& request) {
    char pattern[] = "/tmp/corokit-sclient-XXXXXX";
    if (mkdtemp(pattern) == nullptr) return;
    dir_ = pattern;
    std::ofstream(dir_ / "in") << request;
    const std::string connect = "127.0.0.1:" + std::to_string(port);
    std::vector<std::string> args = {"openssl", "s_client", "-connect", connect, "-servername", "localhost",
                                     "-verify_hostname", "localhost", "-CAfile", credentials().ca_file,
                                     "-verify_return_error", "-quiet", version_flag};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t files;
    posix_spawn_file_actions_init(&files);
    posix_spawn_file_actions_addopen(&files, 0, (dir_ / "in").c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&files, 1, (dir_ / "out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&files, 2, (dir_ / "err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (posix_spawnp(&pid_, "openssl", &files, nullptr, argv.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&files);
  }
  ~SClient() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  SClient(const SClient&) = delete;
  SClient& operator=(const SClient&) = delete;

  bool started() const { return pid_ > 0; }

  // Waits up to 30 s for the client to exit (then kills it); its exit status, -1 if killed.
  int wait() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      if (std::chrono::steady_clock::now() > deadline) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
    return -1;
  }
  std::string output() const { return slurp(dir_ / "out"); }
  std::string errors() const { return slurp(dir_ / "err"); }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// A listening loopback socket on a port the kernel picks.
struct Listener {
  Fd fd{socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  std::uint16_t port = 0;

  Listener() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd.get(), 1) != 0 ||
        getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &length) != 0)
      return;
    port = ntohs(a.sin_port);
  }

  // The client's connection, or -1 after 20 s.
  int accept_one() {
    pollfd p{fd.get(), POLLIN, 0};
    if (poll(&p, 1, 20'000) != 1) return -1;
    const int c = accept4(fd.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (c >= 0) {
      timeval timeout{20, 0};
      setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    }
    return c;
  }
};

// Moves the engine's ciphertext over a blocking socket.
bool send_output(TlsEngine& engine, int fd) {
  for (std::span<const std::uint8_t> out; !(out = engine.pending_output()).empty();) {
    const ssize_t n = send(fd, out.data(), out.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    engine.consume_output(static_cast<std::size_t>(n));
  }
  return true;
}

bool receive_input(TlsEngine& engine, int fd) {
  const std::span<std::uint8_t> space = engine.input_space();
  const ssize_t n = recv(fd, space.data(), space.size(), 0);
  if (n <= 0) return false;
  engine.commit_input(static_cast<std::size_t>(n));
  return true;
}

// Serves one s_client connection: handshake, one line in, `reply` out, close_notify. Returns the
// line received ("" if none).
std::string serve_one(TlsEngine& engine, int fd, const std::string& reply) {
  for (;;) {
    const TlsError step = engine.handshake();
    if (!send_output(engine, fd)) return "";
    if (step == TlsError::None) break;
    if (step != TlsError::WantRead || !receive_input(engine, fd)) return "";
  }
  std::string line;
  std::uint8_t buffer[256];
  while (line.find('\n') == std::string::npos) {
    const TlsResult<std::size_t> got = engine.read(buffer);
    if (!send_output(engine, fd)) return line;
    if (got.ok()) {
      line.append(reinterpret_cast<const char*>(buffer), got.value);
    } else if (got.error != TlsError::WantRead || !receive_input(engine, fd)) {
      return line;
    }
  }
  std::span<const std::uint8_t> rest = bytes(reply);
  while (!rest.empty()) {
    const TlsResult<std::size_t> put = engine.write(rest);
    if (!send_output(engine, fd)) return line;
    if (put.ok()) rest = rest.subspan(put.value);
    else if (put.error != TlsError::WantWrite) return line;
  }
  while (engine.close() == TlsError::WantWrite) send_output(engine, fd);
  send_output(engine, fd);
  shutdown(fd, SHUT_WR);
  return line;
}

class OpensslClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& c = credentials();
    ASSERT_FALSE(c.chain.empty());
    auto made = TlsServerConfig::create(bytes(c.chain), bytes(c.leaf_key));
    ASSERT_TRUE(made.ok()) << describe(made.error);
    server = made.value;
  }

  struct Outcome {
    std::string line;       // what the server read
    std::string printed;    // what s_client printed (our reply)
    std::string errors;     // s_client's stderr
    TlsVersion version = TlsVersion::None;
    TlsError error = TlsError::None;
  };

  Outcome run(const std::string& version_flag) {
    Outcome o;
    Listener listener;
    EXPECT_NE(listener.port, 0);
    SClient client(listener.port, version_flag, "hello from s_client\n");
    EXPECT_TRUE(client.started()) << "is openssl installed? (scripts/setup)";
    if (!client.started()) return o;
    {
      Fd connection(listener.accept_one());
      EXPECT_GE(connection.get(), 0) << "s_client did not connect";
      if (connection.get() < 0) return o;
      TlsEngine engine(server);
      o.line = serve_one(engine, connection.get(), "reply from corokit\n");
      o.version = engine.protocol();
      o.error = engine.error();
    }  // the connection closes: a failed s_client ends too
    client.wait();
    o.printed = client.output();
    o.errors = client.errors();
    return o;
  }

  TlsServerConfig server;
};

TEST_F(OpensslClientTest, Tls13ClientNegotiatesTls13WhereTheBackendHasIt) {
  const Outcome o = run("-tls1_3");
  if (highest_version() == TlsVersion::Tls13) {
    EXPECT_EQ(o.error, TlsError::None) << describe(o.error) << "\n" << o.errors;
    EXPECT_EQ(o.version, TlsVersion::Tls13);
    EXPECT_EQ(o.line, "hello from s_client\n");
    EXPECT_EQ(o.printed, "reply from corokit\n") << o.errors;
  } else {
    EXPECT_EQ(o.error, TlsError::HandshakeFailed) << describe(o.error);
    EXPECT_EQ(o.printed, "");
  }
}

TEST_F(OpensslClientTest, Tls12ClientNegotiatesTls12) {
  const Outcome o = run("-tls1_2");
  EXPECT_EQ(o.error, TlsError::None) << describe(o.error) << "\n" << o.errors;
  EXPECT_EQ(o.version, TlsVersion::Tls12);
  EXPECT_EQ(o.line, "hello from s_client\n");
  EXPECT_EQ(o.printed, "reply from corokit\n") << o.errors;
}

}  // namespace
}  // namespace corokit::tls
