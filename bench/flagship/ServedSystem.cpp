#include "bench/flagship/ServedSystem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace corokit::bench {
namespace {

using namespace std::chrono_literals;

uint16_t free_port() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

bool accepts(uint16_t port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Status make_disk(const FlagshipPaths& paths, const ScratchDirectory& scratch) {
  const std::string cmd = paths.source_dir + "/examples/http-server/make-disk.sh " + (scratch / "site.img") + " >" +
                          (scratch / "make-disk.log") + " 2>&1";
  if (std::system(cmd.c_str()) != 0) return Error{"make-disk.sh failed: " + read_file(scratch / "make-disk.log")};
  return Ok{};
}

}  // namespace

Result<ServedSystem> boot_flagship(const FlagshipPaths& paths) {
  Result<ScratchDirectory> scratch = ScratchDirectory::create("corokit-flagship-bench");
  if (!scratch) return Error{scratch.error()};
  ServedSystem s;
  s.scratch = std::move(*scratch);
  if (Status made = make_disk(paths, s.scratch); !made) return Error{made.error()};
  s.port = free_port();
  const std::string log = s.scratch / "corokit.log";
  Result<ChildProcess> run = ChildProcess::start(
      {paths.corokit, "run", paths.image, "--no-prefix", "--colour=never", "--timeout", "3600", "--disk",
       s.scratch / "site.img", "--nic", "user,hostfwd=tcp:127.0.0.1:" + std::to_string(s.port) + "-:80"},
      log);
  if (!run) return Error{run.error()};
  s.process = std::move(*run);
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (read_file(log).find("ready http://") == std::string::npos) {
    if (!s.process.running()) return Error{"corokit run ended before the server was ready:\n" + read_file(log)};
    if (std::chrono::steady_clock::now() > deadline) return Error{"the server was not ready within 60 s:\n" + read_file(log)};
    std::this_thread::sleep_for(20ms);
  }
  return s;
}

Result<ServedSystem> start_nginx(const FlagshipPaths& paths) {
  Result<ScratchDirectory> scratch = ScratchDirectory::create("corokit-flagship-nginx");
  if (!scratch) return Error{scratch.error()};
  ServedSystem s;
  s.scratch = std::move(*scratch);
  if (Status made = make_disk(paths, s.scratch); !made) return Error{made.error()};
  // The files the flagship serves, exactly: partition 1 starts at sector 2048 (make-disk.sh).
  const std::string www = s.scratch / "www";
  const std::string copy = "mkdir -p " + www + " && MTOOLS_SKIP_CHECK=1 mcopy -s -n -i " + (s.scratch / "site.img") +
                           "@@1048576 '::/*' " + www + " >" + (s.scratch / "mcopy.log") + " 2>&1";
  if (std::system(copy.c_str()) != 0) return Error{"mcopy failed: " + read_file(s.scratch / "mcopy.log")};
  s.port = free_port();
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
      << "  server {\n    listen 127.0.0.1:" << s.port << ";\n    root " << www << ";\n    index index.html;\n  }\n"
      << "}\n";
  Result<ChildProcess> nginx =
      ChildProcess::start({"nginx", "-p", dir + "/", "-c", s.scratch / "nginx.conf", "-e", s.scratch / "error.log"},
                          s.scratch / "nginx.out");
  if (!nginx) return Error{nginx.error()};
  s.process = std::move(*nginx);
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!accepts(s.port)) {
    if (!s.process.running() || std::chrono::steady_clock::now() > deadline) {
      return Error{"nginx did not start: " + read_file(s.scratch / "nginx.out") + read_file(s.scratch / "error.log")};
    }
    std::this_thread::sleep_for(20ms);
  }
  return s;
}

}  // namespace corokit::bench
