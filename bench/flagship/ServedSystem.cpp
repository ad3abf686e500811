#include "bench/flagship/ServedSystem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/LoopbackPort.h"

namespace corokit::bench {
namespace {

using namespace std::chrono_literals;

// A GET of /style.css answered with 200: the whole path works (slirp accepts before the guest does).
bool serves(uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{2, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string request = "GET /style.css HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  char reply[16] = {};
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            send(s, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size()) &&
            recv(s, reply, 12, MSG_WAITALL) == 12 && std::string(reply) == "HTTP/1.1 200";
  close(s);
  return ok;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs a shell command line with its output in `log` (a ChildProcess: it ends with the benchmark).
Status shell(const std::string& command, const std::string& log, const std::string& what) {
  Result<ChildProcess> sh = ChildProcess::start({"sh", "-c", command}, log);
  if (!sh) return Error{sh.error()};
  if (sh->wait() != 0) return Error{what + " failed: " + read_file(log)};
  return Ok{};
}

Status make_disk(const FlagshipPaths& paths, const ScratchDirectory& scratch) {
  return shell(paths.source_dir + "/examples/http-server/make-disk.sh " + (scratch / "site.img"),
               scratch / "make-disk.log", "make-disk.sh");
}

// The site exactly as the flagship serves it: partition 1 starts at sector 2048 (make-disk.sh).
Status extract_site(const ServedSystem& s) {
  return shell("mkdir -p " + (s.scratch / "www") + " && MTOOLS_SKIP_CHECK=1 mcopy -s -n -i " + (s.scratch / "site.img") +
                   "@@1048576 '::/*' " + (s.scratch / "www"),
               s.scratch / "mcopy.log", "mcopy");
}

void write_nginx_config(const ServedSystem& s, const std::string& listen) {
  const std::string dir = s.scratch.path();
  std::ofstream(s.scratch / "nginx.conf")
      << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
      << "pid " << dir << "/nginx.pid;\nerror_log " << dir << "/error.log warn;\n"
      << "events { worker_connections 1024; }\n"
      << "http {\n"
      << "  access_log off;\n"
      << "  client_body_temp_path " << dir << "/body;\n  proxy_temp_path " << dir << "/proxy;\n"
      << "  fastcgi_temp_path " << dir << "/fastcgi;\n  uwsgi_temp_path " << dir << "/uwsgi;\n"
      << "  scgi_temp_path " << dir << "/scgi;\n"
      << "  types { text/html html; text/css css; image/svg+xml svg; application/octet-stream bin; }\n"
      << "  default_type application/octet-stream;\n"
      << "  sendfile on;\n  tcp_nopush on;\n  keepalive_requests 100000000;\n  keepalive_timeout 60s;\n"
      << "  server {\n    listen " << listen << ";\n    root " << dir << "/www;\n    index index.html;\n  }\n"
      << "}\n";
}

// One request to slirp4netns's API socket; true when it answered with "return".
bool slirp_api(const std::string& socket_path, const std::string& request) {
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", socket_path.c_str());
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
            send(s, request.data(), request.size(), MSG_NOSIGNAL) == ssize_t(request.size());
  char reply[256] = {};
  ok = ok && recv(s, reply, sizeof reply - 1, 0) > 0 && std::strstr(reply, "\"return\"") != nullptr;
  close(s);
  return ok;
}

}  // namespace

std::vector<pid_t> ServedSystem::pids() const {
  std::vector<pid_t> out;
  for (const ChildProcess& p : processes) out.push_back(p.pid());
  return out;
}

Result<ServedSystem> boot_flagship(const FlagshipPaths& paths) {
  Result<ScratchDirectory> scratch = ScratchDirectory::create("corokit-flagship-bench");
  if (!scratch) return Error{scratch.error()};
  ServedSystem s;
  s.scratch = std::move(*scratch);
  if (Status made = make_disk(paths, s.scratch); !made) return Error{made.error()};
  s.port = corokit::testing::free_loopback_port();
  const std::string log = s.scratch / "corokit.log";
  s.stats_path = s.scratch / "stats.json";
  std::vector<std::string> argv = {paths.corokit, "run", paths.image, "--no-prefix", "--colour=never", "--timeout", "3600",
                                   "--disk", s.scratch / "site.img", "--nic",
                                   "user,hostfwd=tcp:127.0.0.1:" + std::to_string(s.port) + "-:80",
                                   "--stats", s.stats_path};
  argv.insert(argv.end(), paths.run_options.begin(), paths.run_options.end());
  Result<ChildProcess> run = ChildProcess::start(argv, log);
  if (!run) return Error{run.error()};
  s.processes.push_back(std::move(*run));
  ChildProcess& system = s.processes[0];
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (read_file(log).find("ready http://") == std::string::npos) {
    if (!system.running()) return Error{"corokit run ended before the server was ready:\n" + read_file(log)};
    if (std::chrono::steady_clock::now() > deadline) return Error{"the server was not ready within 60 s:\n" + read_file(log)};
    std::this_thread::sleep_for(20ms);
  }
  if (!serves(s.port)) return Error{"the server is ready but GET /style.css failed:\n" + read_file(log)};
  return s;
}

Result<ServedSystem> start_nginx(const FlagshipPaths& paths, NginxPath path) {
  if (path == NginxPath::Slirp && geteuid() != 0) return Error{"nginx behind slirp4netns needs root (a network namespace)"};
  Result<ScratchDirectory> scratch = ScratchDirectory::create("corokit-flagship-nginx");
  if (!scratch) return Error{scratch.error()};
  ServedSystem s;
  s.scratch = std::move(*scratch);
  if (Status made = make_disk(paths, s.scratch); !made) return Error{made.error()};
  if (Status site = extract_site(s); !site) return Error{site.error()};
  s.port = corokit::testing::free_loopback_port();
  write_nginx_config(s, path == NginxPath::Loopback ? "127.0.0.1:" + std::to_string(s.port) : "80");
  std::vector<std::string> argv = {"nginx", "-p", s.scratch.path() + "/", "-c", s.scratch / "nginx.conf", "-e",
                                   s.scratch / "error.log"};
  if (path == NginxPath::Slirp) {
    // unshare execs nginx in its own process: the PID stays the one started here.
    std::string command = "ip link set lo up && exec";
    for (const std::string& a : argv) command += " " + a;
    argv = {"unshare", "--net", "--", "sh", "-c", command};
  }
  Result<ChildProcess> nginx = ChildProcess::start(argv, s.scratch / "nginx.out");
  if (!nginx) return Error{nginx.error()};
  s.processes.push_back(std::move(*nginx));
  const auto failed = [&](const std::string& what) {
    return Error{what + ": " + read_file(s.scratch / "nginx.out") + read_file(s.scratch / "error.log") +
                 read_file(s.scratch / "slirp4netns.out")};
  };
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  if (path == NginxPath::Slirp) {
    // slirp4netns joins nginx's namespace once unshare made it (the link differs from ours).
    const std::string own = std::filesystem::read_symlink("/proc/self/ns/net").string();
    const std::string theirs = "/proc/" + std::to_string(s.processes[0].pid()) + "/ns/net";
    std::error_code ec;
    while (std::filesystem::read_symlink(theirs, ec).string() == own || ec) {
      if (!s.processes[0].running() || std::chrono::steady_clock::now() > deadline) return failed("unshare failed");
      std::this_thread::sleep_for(10ms);
    }
    const std::string api = s.scratch / "slirp.sock";
    Result<ChildProcess> slirp = ChildProcess::start({"slirp4netns", "--configure", "--mtu=1500", "--disable-host-loopback",
                                                      "--api-socket", api, std::to_string(s.processes[0].pid()), "tap0"},
                                                     s.scratch / "slirp4netns.out");
    if (!slirp) return Error{slirp.error()};
    s.processes.push_back(std::move(*slirp));
    const std::string forward = R"({"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "127.0.0.1", )"
                                R"("host_port": )" + std::to_string(s.port) + R"(, "guest_port": 80}})";
    while (!slirp_api(api, forward)) {
      if (!s.processes[1].running() || std::chrono::steady_clock::now() > deadline) return failed("slirp4netns failed");
      std::this_thread::sleep_for(20ms);
    }
  }
  while (!serves(s.port)) {
    if (!s.processes[0].running() || std::chrono::steady_clock::now() > deadline) return failed("nginx did not start");
    std::this_thread::sleep_for(20ms);
  }
  return s;
}

}  // namespace corokit::bench
