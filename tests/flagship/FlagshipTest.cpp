// The flagship system (examples/http-server) booted as the demo boots it: --nic user (no root), a
// disk made by make-disk.sh. Waits for the readiness lines (no sleeps), fetches every file of the
// site over HTTP and HTTPS and compares it byte for byte with the source tree, runs 64 concurrent
// keep-alive connections, sends malformed requests, uses the journal, and crashes the NIC driver,
// a copier and the journal under load: each is reported and restarted, and the server serves on.
// FlagshipTap does the same job over a TAP device in a network namespace of its own.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>

#include "tests/support/LoopbackPort.h"
#include "tests/support/RunningSystem.h"
#include "tests/support/TapNamespace.h"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A TCP connection to `address`:`port` (the loopback address by default: the hostfwd ports).
int connect_to(uint16_t port, const char* address = "127.0.0.1") {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  // Generous: the tests assert what arrives, never how fast.
  timeval tv{60, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, address, &a.sin_addr);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(s);
    return -1;
  }
  return s;
}

bool send_all(int s, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = send(s, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += size_t(n);
  }
  return true;
}

struct Response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

// Reads one response from `s` (buffered in `pending`); HEAD responses have no body.
bool read_response(int s, std::string& pending, Response& r, bool head = false) {
  auto fill = [&]() {
    char buf[65536];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) return false;
    pending.append(buf, size_t(n));
    return true;
  };
  size_t end;
  while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return false;
  }
  std::istringstream lines(pending.substr(0, end));
  std::string line;
  std::getline(lines, line);
  if (line.rfind("HTTP/1.1 ", 0) != 0) return false;
  r = Response{};
  r.status = std::stoi(line.substr(9, 3));
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = line.substr(0, colon);
    for (char& c : name) c = char(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = line.substr(colon + 2);
  }
  pending.erase(0, end + 4);
  size_t length = head ? 0 : std::stoul(r.headers.count("content-length") ? r.headers["content-length"] : "0");
  while (pending.size() < length) {
    if (!fill()) return false;
  }
  r.body = pending.substr(0, length);
  pending.erase(0, length);
  return true;
}

// Reads until the server closes; true if it did (within the receive timeout).
bool closed_by_peer(int s) {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return false;
  }
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string url_path(const std::string& relative) {
  std::string out = "/";
  for (char c : relative) {
    if (c == ' ') out += "%20";
    else out += c;
  }
  return out;
}

// The PIDs of the PD processes named `pd` (the runtime names them corokit:<pd>) of the run whose
// monitor is `monitor` (their parent): other systems may run on the machine at the same time.
std::vector<pid_t> pd_pids(pid_t monitor, const std::string& pd) {
  std::vector<pid_t> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream cmd(entry.path() / "cmdline");
    std::string text;
    std::getline(cmd, text, '\0');
    if (text != "corokit:" + pd) continue;
    std::ifstream status(entry.path() / "status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("PPid:", 0) == 0 && std::stol(line.substr(5)) == monitor) pids.push_back(pid_t(std::stol(name)));
    }
  }
  return pids;
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every file of the site as the disk holds it: the source tree plus the generated large.bin.
std::map<std::string, std::string> site_files() {
  std::map<std::string, std::string> files;
  fs::path site = fs::path(COROKIT_SOURCE_DIR) / "examples/http-server/site";
  for (const auto& e : fs::recursive_directory_iterator(site)) {
    if (e.is_regular_file()) files[fs::relative(e.path(), site).string()] = read_file(e.path());
  }
  std::string line = "corokit large file: 0123456789abcdefghijklmnopqrstuvwxyz\n";
  std::string large;
  while (large.size() < 4u * 1024 * 1024) large += line;
  large.resize(4u * 1024 * 1024);
  files["large.bin"] = large;
  return files;
}

// A fresh scratch directory NAME-<pid> holding site.img, the demo's disk made by make-disk.sh;
// empty if the disk could not be made.
fs::path make_disk(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / (name + "-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string make = std::string(COROKIT_SOURCE_DIR) + "/examples/http-server/make-disk.sh " +
                           (dir / "site.img").string() + " >/dev/null";
  return std::system(make.c_str()) == 0 ? dir : fs::path();
}

class Flagship : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = make_disk("corokit-flagship");
    ASSERT_FALSE(dir_.empty());
    disk_ = dir_ / "site.img";
    http_ = corokit::testing::free_loopback_port();
    https_ = corokit::testing::free_loopback_port();
    journal_ = corokit::testing::free_loopback_port();
    const std::string nic = "user,hostfwd=tcp:127.0.0.1:" + std::to_string(http_) + "-:80,hostfwd=tcp:127.0.0.1:" +
                            std::to_string(https_) + "-:443,hostfwd=tcp:127.0.0.1:" + std::to_string(journal_) +
                            "-10.0.2.20:9000";
    system_ = new corokit::testing::RunningSystem(
        COROKIT_BIN, FLAGSHIP_IMG, {"--disk", disk_.string(), "--nic", nic, "--restart-root", "20"});
    ready_ = system_->wait_for({"ready http://10.0.2.15/ and https on port 443", "ready 10.0.2.20:9000"}, 60s);
  }
  static void TearDownTestSuite() {
    delete system_;
    system_ = nullptr;
    fs::remove_all(dir_);
  }
  void SetUp() override { ASSERT_TRUE(ready_) << system_->output(); }

  static inline fs::path dir_;
  static inline fs::path disk_;
  static inline uint16_t http_ = 0, https_ = 0, journal_ = 0;
  static inline corokit::testing::RunningSystem* system_ = nullptr;
  static inline bool ready_ = false;
};

TEST_F(Flagship, EveryFileOverHttpIsByteForByteTheSource) {
  auto files = site_files();
  int s = connect_to(http_);
  ASSERT_GE(s, 0);
  std::string pending;
  for (const auto& [path, content] : files) {  // one keep-alive connection for all
    ASSERT_TRUE(send_all(s, "GET " + url_path(path) + " HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    Response r;
    ASSERT_TRUE(read_response(s, pending, r)) << path;
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_TRUE(r.body == content) << path << ": " << r.body.size() << " bytes, expected " << content.size();
  }
  ASSERT_TRUE(send_all(s, "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  Response r;
  ASSERT_TRUE(read_response(s, pending, r));
  EXPECT_EQ(r.body, files["index.html"]);
  EXPECT_EQ(r.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_TRUE(closed_by_peer(s));
  close(s);
}

TEST_F(Flagship, EveryFileOverHttpsIsByteForByteTheSource) {
  for (const auto& [path, content] : site_files()) {
    fs::path out = dir_ / "https.out";
    std::string cmd = "curl -sS --fail -k -o " + out.string() + " 'https://127.0.0.1:" + std::to_string(https_) +
                      url_path(path) + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    EXPECT_TRUE(read_file(out) == content) << path;
  }
}

// PEERS.md §3 item 7 asks for TLS 1.3: what the HTTPS port negotiates, seen by independent
// clients. FLAGSHIP_TLS13 is set when the server is built on a backend that has it (OpenSSL).
TEST_F(Flagship, HttpsNegotiatesTls13AndStillTls12) {
  const std::string index = site_files()["index.html"];
  struct Case {
    std::string flags, version;
    bool works;
  };
  const Case cases[] = {{"--tlsv1.3 --tls-max 1.3", "TLSv1.3", FLAGSHIP_TLS13 != 0},
                        {"--tlsv1.2 --tls-max 1.2", "TLSv1.2", true}};
  for (const Case& c : cases) {
    const fs::path out = dir_ / "https.out", log = dir_ / "https.log";
    fs::remove(out);
    const std::string cmd = "timeout 60 curl -sS -v --fail -k " + c.flags + " -o " + out.string() +
                            " https://127.0.0.1:" + std::to_string(https_) + "/ 2>" + log.string();
    const int status = std::system(cmd.c_str());
    if (!c.works) {
      EXPECT_NE(status, 0) << c.version << " should be refused: " << read_file(log);
      continue;
    }
    EXPECT_EQ(status, 0) << cmd << "\n" << read_file(log);
    EXPECT_NE(read_file(log).find("SSL connection using " + c.version + " / "), std::string::npos) << read_file(log);
    EXPECT_TRUE(read_file(out) == index) << c.version;
  }
}

// Every suite the server offers, with every key exchange group on TLS 1.3: each hash and cipher
// runs on the server PD's stack (SHA-384 needs more than a default 8 KiB stack), and each must
// serve a page. openssl s_client is the client.
TEST_F(Flagship, HttpsServesEverySuiteItOffers) {
  std::vector<std::pair<std::string, std::string>> runs;  // s_client flags, the suite it must report
  if (FLAGSHIP_TLS13 != 0) {
    for (const char* suite : {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}) {
      for (const char* group : {"X25519", "P-256", "P-384"}) {
        runs.emplace_back(std::string("-tls1_3 -ciphersuites ") + suite + " -groups " + group, suite);
      }
    }
  }
  for (const char* suite : {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
                            "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    runs.emplace_back(std::string("-tls1_2 -cipher ") + suite, suite);
  }
  const fs::path out = dir_ / "sclient.out", err = dir_ / "sclient.err";
  for (const auto& [flags, suite] : runs) {
    const std::string cmd = "printf 'GET / HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' | timeout 60 "
                            "openssl s_client -connect 127.0.0.1:" + std::to_string(https_) +
                            " -brief -ign_eof " + flags + " >" + out.string() + " 2>" + err.string();
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << read_file(err);
    EXPECT_NE(read_file(err).find("Ciphersuite: " + suite), std::string::npos) << flags << ": " << read_file(err);
    EXPECT_EQ(read_file(out).rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << flags << ": " << read_file(out).substr(0, 200);
  }
}

TEST_F(Flagship, SixtyFourConcurrentKeepAliveConnections) {
  auto files = site_files();
  std::vector<std::string> paths;
  for (const auto& [path, content] : files) {
    if (path != "large.bin") paths.push_back(path);
  }
  constexpr int kConnections = 64, kRounds = 4;
  std::atomic<int> good{0};
  std::vector<int> sockets;
  for (int i = 0; i < kConnections; ++i) {  // all open before any request: truly concurrent
    sockets.push_back(connect_to(http_));
    ASSERT_GE(sockets.back(), 0);
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < kConnections; ++i) {
    threads.emplace_back([&, i] {
      std::string pending;
      for (int round = 0; round < kRounds; ++round) {
        const std::string& path = paths[size_t(i + round) % paths.size()];
        if (!send_all(sockets[size_t(i)], "GET " + url_path(path) + " HTTP/1.1\r\nHost: x\r\n\r\n")) return;
        Response r;
        if (!read_response(sockets[size_t(i)], pending, r) || r.status != 200 || r.body != files[path]) return;
      }
      ++good;
    });
  }
  for (auto& t : threads) t.join();
  for (int s : sockets) close(s);
  EXPECT_EQ(good.load(), kConnections);
}

TEST_F(Flagship, MalformedAndRefusedRequestsGetTheirStatus) {
  struct Case {
    std::string request;
    int status;
    bool closes;
  };
  const std::vector<Case> cases = {
      {"BLAH\r\n\r\n", 400, true},
      {"GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(20000, 'a') + "\r\n\r\n", 431, true},
      {"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n", 413, true},
      {"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n", 405, false},
      {"GET /no/such/file HTTP/1.1\r\nHost: x\r\n\r\n", 404, false},
      {"GET /about HTTP/1.1\r\nHost: x\r\n\r\n", 301, false},
      {"GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, true},
  };
  for (const Case& c : cases) {
    int s = connect_to(http_);
    ASSERT_GE(s, 0);
    ASSERT_TRUE(send_all(s, c.request));
    std::string pending;
    Response r;
    ASSERT_TRUE(read_response(s, pending, r)) << c.request.substr(0, 40);
    EXPECT_EQ(r.status, c.status) << c.request.substr(0, 40);
    if (c.status == 301) {
      EXPECT_EQ(r.headers["location"], "/about/");
    }
    if (c.closes) {
      EXPECT_TRUE(closed_by_peer(s)) << c.request.substr(0, 40);
    } else {  // the connection stays usable
      ASSERT_TRUE(send_all(s, "HEAD /style.css HTTP/1.1\r\nHost: x\r\n\r\n"));
      ASSERT_TRUE(read_response(s, pending, r, /*head=*/true));
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.headers["content-type"], "text/css; charset=utf-8");
    }
    close(s);
  }
  // Pipelined: three requests in one segment, three answers in order.
  int s = connect_to(http_);
  ASSERT_TRUE(send_all(s, "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
                          "GET /logo.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  std::string pending;
  Response a, b, c;
  ASSERT_TRUE(read_response(s, pending, a) && read_response(s, pending, b) && read_response(s, pending, c));
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 404);
  EXPECT_EQ(c.status, 200);
  EXPECT_NE(c.body.find("<svg"), std::string::npos);
  EXPECT_TRUE(closed_by_peer(s));
  close(s);
}

TEST_F(Flagship, SilentAndTrickleConnectionsAreClosedAfterTheIdleTimeout) {
  const auto start = std::chrono::steady_clock::now();
  int silent = connect_to(http_);
  int trickle = connect_to(http_);  // half a request head, then nothing
  ASSERT_GE(silent, 0);
  ASSERT_GE(trickle, 0);
  ASSERT_TRUE(send_all(trickle, "GET / HTTP/1.1\r\nHost: x\r\n"));
  EXPECT_TRUE(closed_by_peer(silent));  // the receive timeout is longer than the server's 10 s
  EXPECT_TRUE(closed_by_peer(trickle));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 5s) << "closed long before the idle timeout";
  close(silent);
  close(trickle);
  // The server still serves.
  int s = connect_to(http_);
  ASSERT_TRUE(send_all(s, "GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string pending;
  Response r;
  ASSERT_TRUE(read_response(s, pending, r));
  EXPECT_EQ(r.status, 200);
  close(s);
}

std::string journal_exchange(uint16_t port, const std::string& lines, size_t answers, const char* address = "127.0.0.1") {
  int s = connect_to(port, address);
  if (s < 0) return "";
  send_all(s, lines);
  std::string got;
  char buf[256];
  while (static_cast<size_t>(std::count(got.begin(), got.end(), '\n')) < answers) {
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, size_t(n));
  }
  close(s);
  return got;
}

TEST_F(Flagship, TheJournalAnswersDurableAfterEachAppend) {
  std::string before = journal_exchange(journal_, "count\n", 1);
  ASSERT_EQ(before.rfind("count ", 0), 0u) << before;
  const unsigned n = unsigned(std::stoul(before.substr(6)));
  std::string got = journal_exchange(journal_, "first entry\nsecond entry\ncount\n", 3);
  EXPECT_EQ(got, "durable " + std::to_string(n) + "\ndurable " + std::to_string(n + 1) + "\ncount " +
                     std::to_string(n + 2) + "\n");
}

// Last in the file: it crashes parts of the running system.
TEST_F(Flagship, CrashedDriverCopierAndSecondClientAreRestartedAndTheServerServesOn) {
  const std::string style = site_files()["style.css"];
  auto fetch_ok = [&] {
    int s = connect_to(http_);
    if (s < 0) return false;
    std::string pending;
    Response r;
    bool ok = send_all(s, "GET /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") &&
              read_response(s, pending, r) && r.status == 200 && r.body == style;
    close(s);
    return ok;
  };
  std::string before = journal_exchange(journal_, "one\ntwo\ncount\n", 3);
  ASSERT_NE(before.find("count "), std::string::npos) << before;
  const std::string records = before.substr(before.find("count ") + 6, before.size() - before.find("count ") - 7);
  // Load while crashing: clients keep fetching (failures while a component restarts are allowed).
  std::atomic<int> served{0};
  std::jthread load([&](std::stop_token stop) {  // joined however the test ends
    while (!stop.stop_requested()) served += fetch_ok() ? 1 : 0;
  });
  for (const std::string pd : {"journal", "copier_journal", "net_driver", "copier_server"}) {
    std::vector<pid_t> pids = pd_pids(system_->pid(), pd);
    ASSERT_EQ(pids.size(), 1u) << pd;
    ASSERT_EQ(kill(pids[0], SIGSEGV), 0);
    ASSERT_TRUE(system_->wait_for({"restarting PD '" + pd + "'"}, 30s)) << system_->output();
    std::this_thread::sleep_for(300ms);  // let the load run against the restarted component
  }
  load.request_stop();
  load.join();
  EXPECT_GT(served.load(), 0);
  std::string out = system_->output();
  for (const std::string pd : {"journal", "copier_journal", "net_driver", "copier_server"}) {
    EXPECT_NE(out.find("faulting PD: " + pd), std::string::npos) << pd;
  }
  // The server answers again (a connection open during a restart may have been reset).
  bool recovered = false;
  for (int i = 0; i < 50 && !recovered; ++i) {
    recovered = fetch_ok();
    if (!recovered) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(recovered) << out;
  // The restarted journal found its records again and appends after them.
  ASSERT_TRUE(system_->wait_for({"ready 10.0.2.20:9000, " + records + " records"}, 30s)) << system_->output();
  std::string got;
  for (int i = 0; i < 50 && got.rfind("durable", 0) != 0; ++i) {
    got = journal_exchange(journal_, "after the crash\n", 1);
    if (got.empty()) std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(got, "durable " + records + "\n");
  // The server itself never faulted.
  EXPECT_EQ(out.find("faulting PD: http_server"), std::string::npos);
  EXPECT_EQ(count_of(system_->output(), "ready http://10.0.2.15/"), 1u);
}

// A power cut: the whole run (monitor and every PD) is killed with SIGKILL while a client appends to
// the journal. Every record answered "durable" before the kill is on the disk image, and the
// journal of the next boot counts it and appends after it.
TEST(FlagshipPowerCut, EveryDurableJournalRecordSurvivesAKillOfTheWholeRun) {
  const fs::path dir = make_disk("corokit-powercut");
  ASSERT_FALSE(dir.empty());
  const fs::path disk = dir / "site.img";
  const uint16_t port = corokit::testing::free_loopback_port();
  const std::vector<std::string> options = {
      "--disk", disk.string(), "--nic",
      "user,hostfwd=tcp:127.0.0.1:" + std::to_string(port) + "-10.0.2.20:9000,hostfwd=tcp:127.0.0.1:" +
          std::to_string(corokit::testing::free_loopback_port()) + "-:80"};
  std::vector<std::string> acknowledged;  // payload of record i, in order
  {
    corokit::testing::RunningSystem run(COROKIT_BIN, FLAGSHIP_IMG, options);
    ASSERT_TRUE(run.wait_for({"ready 10.0.2.20:9000, 0 records"}, 60s)) << run.output();
    int s = connect_to(port);
    ASSERT_GE(s, 0);
    std::atomic<bool> killed{false};
    std::thread killer([&] {
      std::this_thread::sleep_for(700ms);
      for (const char* pd : {"journal", "blk_driver", "blk_virt", "net_driver", "net_virt_rx", "net_virt_tx",
                             "copier_server", "copier_journal", "http_server"}) {
        for (pid_t p : pd_pids(run.pid(), pd)) kill(p, SIGKILL);
      }
      kill(run.pid(), SIGKILL);
      killed = true;
    });
    std::string pending;
    for (unsigned i = 0; !killed && i < 100000; ++i) {
      const std::string entry = "entry " + std::to_string(i) + " " + std::string(i % 300, 'x');
      if (!send_all(s, entry + "\n")) break;
      size_t nl;
      char buf[256];
      while ((nl = pending.find('\n')) == std::string::npos) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n <= 0) break;
        pending.append(buf, size_t(n));
      }
      if (nl == std::string::npos) break;
      const std::string answer = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      if (answer != "durable " + std::to_string(i)) break;
      acknowledged.push_back(entry);
    }
    killer.join();
    close(s);
  }
  ASSERT_GT(acknowledged.size(), 0u);
  // On the image: record i in block i of the journal partition (MBR entry 2).
  std::ifstream image(disk, std::ios::binary);
  unsigned char mbr[512];
  image.read(reinterpret_cast<char*>(mbr), sizeof mbr);
  const uint64_t start = uint64_t(mbr[446 + 16 + 8]) | uint64_t(mbr[446 + 16 + 9]) << 8 |
                         uint64_t(mbr[446 + 16 + 10]) << 16 | uint64_t(mbr[446 + 16 + 11]) << 24;
  for (size_t i = 0; i < acknowledged.size(); ++i) {
    std::string block(4096, '\0');
    image.seekg(std::streamoff(start * 512 + i * 4096));
    image.read(block.data(), 4096);
    ASSERT_EQ(block.substr(0, 4), "CKJ1") << "record " << i;
    ASSERT_EQ(block.substr(16, acknowledged[i].size()), acknowledged[i]) << "record " << i;
  }
  // The next boot counts at least what was acknowledged.
  corokit::testing::RunningSystem again(COROKIT_BIN, FLAGSHIP_IMG, options);
  ASSERT_TRUE(again.wait_for({"ready 10.0.2.20:9000, "}, 60s)) << again.output();
  std::string count = journal_exchange(port, "count\n", 1);
  ASSERT_EQ(count.rfind("count ", 0), 0u) << count;
  EXPECT_GE(std::stoul(count.substr(6)), acknowledged.size());
  fs::remove_all(dir);
}

// The TAP variant (http_server_tap.img, static addresses from examples/http-server/tap): booted
// with --nic tap=tap0 in a network namespace of its own whose tap0 is 10.12.0.1/24, and reached
// from inside that namespace: every file over HTTP byte for byte, HTTPS, and the journal.
TEST(FlagshipTap, ServesTheSiteAndTheJournalOverTap) {
  if (!corokit::testing::can_use_tap()) GTEST_SKIP() << "needs root and /dev/net/tun (CI runs as root)";
  corokit::testing::TapNamespace ns("ckhttp", "10.12.0.1");
  ASSERT_TRUE(ns.ok()) << "could not create a network namespace with a TAP device";
  const fs::path dir = make_disk("corokit-flagship-tap");
  ASSERT_FALSE(dir.empty());
  const fs::path disk = dir / "site.img";
  corokit::testing::RunningSystem run(COROKIT_BIN, FLAGSHIP_TAP_IMG, {"--disk", disk.string(), "--nic", "tap=tap0"},
                                      ns.name());
  ASSERT_TRUE(run.wait_for({"ready http://10.12.0.2/ and https on port 443", "ready 10.12.0.3:9000"}, 60s))
      << run.output();
  const auto files = site_files();
  ns.run([&] {
    int s = connect_to(80, "10.12.0.2");
    ASSERT_GE(s, 0);
    std::string pending;
    for (const auto& [path, content] : files) {
      ASSERT_TRUE(send_all(s, "GET " + url_path(path) + " HTTP/1.1\r\nHost: 10.12.0.2\r\n\r\n"));
      Response r;
      ASSERT_TRUE(read_response(s, pending, r)) << path;
      EXPECT_EQ(r.status, 200) << path;
      EXPECT_TRUE(r.body == content) << path << ": " << r.body.size() << " bytes, expected " << content.size();
    }
    close(s);
    const std::string got = journal_exchange(9000, "over tap\n", 1, "10.12.0.3");
    EXPECT_EQ(got.rfind("durable ", 0), 0u) << got;
  });
  const fs::path out = dir / "index.html";
  std::string log;
  EXPECT_EQ(corokit::testing::run_command({"ip", "netns", "exec", ns.name(), "curl", "-sS", "--fail", "-k", "-o",
                                           out.string(), "https://10.12.0.2/index.html"},
                                          &log),
            0)
      << log;
  EXPECT_TRUE(read_file(out) == files.at("index.html"));
  EXPECT_EQ(run.output().find("MON|ERROR"), std::string::npos) << run.output();
  fs::remove_all(dir);
}

}  // namespace
