#include "system/runtime/RunOptions.h"

#include "system/runtime/NicBackend.h"

#include <cstdlib>

namespace corokit::runtime {

const char* run_options_help() {
  return "usage: corokit run SYSTEM.img [options]\n"
         "\n"
         "Boots a packed system: one sandboxed process per PD. Stops when every PD has finished,\n"
         "on SIGINT/SIGTERM, or on one of the conditions below. Exit status: 0 no PD faulted,\n"
         "1 a fault was reported, 2 the system could not boot.\n"
         "\n"
         "  --single-runner        one PD runs at a time, highest priority first (uniprocessor seL4 order)\n"
         "  --timeout SECONDS      stop after SECONDS\n"
         "  --until TEXT           stop once an output line contains TEXT\n"
         "  --until-idle           stop once no PD can make progress\n"
         "  --on-fault=stop|continue  stop the run at the first reported fault (default: continue)\n"
         "  --restart-root N       restart a faulted root PD up to N times (default 0)\n"
         "  --no-prefix            do not prefix PD output with the PD name\n"
         "  --colour=auto|always|never  colour the prefix (default: auto, on a terminal)\n"
         "  --no-dbg               drop PD debug output (as in a release build)\n"
         "  --checked              invalid channels and message registers fault the PD\n"
         "  --spin-us N            bounded spin before a PD sleeps (default 5; 0: never spin)\n"
         "  --sched=auto|fifo|other  real-time scheduling when permitted (default auto)\n"
         "  --console stdio|pty|file=PATH  console device: stdin/stdout (default), a new pseudo-terminal\n"
         "                         (its path is printed), or output to PATH (input from stdin)\n"
         "  --nic tap=NAME | user[,hostfwd=tcp:[ADDR]:PORT-[ADDR]:PORT...]\n"
         "                         backend of the next NIC (repeatable): a TAP device, or libslirp\n"
         "  --log PATH             write the run log (every line, child faults) to PATH\n"
         "  --events PATH          write fault and exit events as JSON lines to PATH\n"
         "  --stats PATH           write every PD's counters (notifications, wake-ups, sleeps, calls,\n"
         "                         IRQs, copies) as JSON to PATH when the run ends and on SIGUSR1\n"
         "  --boot-report          print the time until every init() returned\n"
         "  --ppc-timeout MS       a protected call gives up after MS milliseconds (every pp channel)\n"
         "  --ppc-timeout PD:CH=MS  the same for channel CH of the calling PD (0: never), repeatable\n"
         "  --ppc-fail-fast        a protected call fails when its callee faults, stops, restarts or dies\n"
         "  --disk PATH[,readonly][,direct][,sector=512|4096][,serial=TEXT]\n"
         "                         attach a disk image as the next block device (block0, block1, ...);\n"
         "                         ',,' in PATH stands for a comma\n";
}

Result<DiskOption> parse_disk_option(const std::string& value) {
  // Split at single commas; ",," is a literal comma (QEMU's convention).
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == ',' && i + 1 < value.size() && value[i + 1] == ',') {
      parts.back() += ',';
      ++i;
    } else if (value[i] == ',') {
      parts.emplace_back();
    } else {
      parts.back() += value[i];
    }
  }
  DiskOption d;
  d.path = parts[0];
  if (d.path.empty()) return Error{"--disk: expected PATH[,readonly][,direct][,sector=512|4096][,serial=TEXT]"};
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p == "readonly") {
      d.read_only = true;
    } else if (p == "direct") {
      d.direct = true;
    } else if (p == "sector=512" || p == "sector=4096") {
      d.sector_size = p == "sector=512" ? 512 : 4096;
    } else if (p.rfind("serial=", 0) == 0) {
      d.serial = p.substr(7);
      if (d.serial.empty() || d.serial.size() > 63) return Error{"--disk: serial must have 1 to 63 characters"};
    } else {
      return Error{"--disk: unknown property '" + p + "' (expected readonly, direct, sector=512|4096, serial=TEXT)"};
    }
  }
  return d;
}

namespace {

// MS or PD:CH=MS; MS in milliseconds, fractions allowed, at most an hour.
Result<PpcTimeout> parse_ppc_timeout(const std::string& v) {
  PpcTimeout t;
  std::string ms = v;
  size_t eq = v.rfind('=');
  if (eq != std::string::npos) {
    std::string target = v.substr(0, eq);
    ms = v.substr(eq + 1);
    size_t colon = target.rfind(':');
    if (colon == std::string::npos || colon == 0) return Error{"--ppc-timeout: expected MS or PD:CHANNEL=MS, got '" + v + "'"};
    t.pd = target.substr(0, colon);
    std::string ch = target.substr(colon + 1);
    char* end = nullptr;
    unsigned long id = std::strtoul(ch.c_str(), &end, 10);
    if (ch.empty() || *end != '\0' || id > 61) return Error{"--ppc-timeout: not a channel id (0..61): '" + ch + "'"};
    t.channel = static_cast<unsigned>(id);
  }
  char* end = nullptr;
  double d = std::strtod(ms.c_str(), &end);
  if (ms.empty() || *end != '\0' || !(d >= 0) || d > 3.6e6) return Error{"--ppc-timeout: not a number of milliseconds: '" + ms + "'"};
  t.us = static_cast<uint32_t>(d * 1000 + 0.5);
  if (d > 0 && t.us == 0) t.us = 1;
  return t;
}

}  // namespace

Result<RunOptions> parse_run_options(const std::vector<std::string>& args, std::string* image_path) {
  RunOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](const std::string& name) -> Result<std::string> {
      std::string prefix = name + "=";
      if (a.rfind(prefix, 0) == 0) return a.substr(prefix.size());
      if (i + 1 >= args.size()) return Error{name + " needs a value"};
      return args[++i];
    };
    auto is = [&](const std::string& name) { return a == name || a.rfind(name + "=", 0) == 0; };
    if (a == "--single-runner") {
      o.single_runner = true;
    } else if (is("--timeout")) {
      Result<std::string> v = value("--timeout");
      if (!v) return Error{v.error()};
      char* end = nullptr;
      double t = std::strtod(v->c_str(), &end);
      if (end == v->c_str() || *end != '\0' || t < 0) return Error{"--timeout: not a number of seconds: '" + *v + "'"};
      o.timeout_s = t;
    } else if (is("--until")) {
      Result<std::string> v = value("--until");
      if (!v) return Error{v.error()};
      o.until = *v;
    } else if (a == "--until-idle") {
      o.until_idle = true;
    } else if (is("--on-fault")) {
      Result<std::string> v = value("--on-fault");
      if (!v) return Error{v.error()};
      if (*v != "stop" && *v != "continue") return Error{"--on-fault: expected stop or continue"};
      o.stop_on_fault = *v == "stop";
    } else if (is("--restart-root")) {
      Result<std::string> v = value("--restart-root");
      if (!v) return Error{v.error()};
      o.root_restarts = static_cast<unsigned>(std::strtoul(v->c_str(), nullptr, 10));
    } else if (a == "--no-prefix") {
      o.prefix = false;
    } else if (is("--colour") || is("--color")) {
      Result<std::string> v = value(a.rfind("--color", 0) == 0 ? "--color" : "--colour");
      if (!v) return Error{v.error()};
      if (*v == "auto") o.colour = RunOptions::Colour::Auto;
      else if (*v == "always") o.colour = RunOptions::Colour::Always;
      else if (*v == "never") o.colour = RunOptions::Colour::Never;
      else return Error{"--colour: expected auto, always or never"};
    } else if (a == "--no-dbg") {
      o.drop_pd_output = true;
    } else if (a == "--checked") {
      o.checked = true;
    } else if (is("--spin-us")) {
      Result<std::string> v = value("--spin-us");
      if (!v) return Error{v.error()};
      o.spin_ns = std::strtoull(v->c_str(), nullptr, 10) * 1000;
    } else if (is("--sched")) {
      Result<std::string> v = value("--sched");
      if (!v) return Error{v.error()};
      if (*v == "auto") o.sched = RunOptions::Sched::Auto;
      else if (*v == "fifo") o.sched = RunOptions::Sched::Fifo;
      else if (*v == "other") o.sched = RunOptions::Sched::Other;
      else return Error{"--sched: expected auto, fifo or other"};
    } else if (is("--nic")) {
      Result<std::string> v = value("--nic");
      if (!v) return Error{v.error()};
      if (Result<NicSpec> spec = parse_nic_option(*v); !spec) return Error{spec.error()};
      o.nics.push_back(*v);
    } else if (is("--console")) {
      Result<std::string> v = value("--console");
      if (!v) return Error{v.error()};
      if (*v != "stdio" && *v != "pty" && (v->rfind("file=", 0) != 0 || v->size() == 5)) {
        return Error{"--console: expected stdio, pty or file=PATH"};
      }
      o.console = *v;
    } else if (is("--log")) {
      Result<std::string> v = value("--log");
      if (!v) return Error{v.error()};
      o.log_path = *v;
    } else if (is("--events")) {
      Result<std::string> v = value("--events");
      if (!v) return Error{v.error()};
      o.json_path = *v;
    } else if (is("--stats")) {
      Result<std::string> v = value("--stats");
      if (!v) return Error{v.error()};
      if (v->empty()) return Error{"--stats needs a file path"};
      o.stats_path = *v;
    } else if (is("--ppc-timeout")) {
      Result<std::string> v = value("--ppc-timeout");
      if (!v) return Error{v.error()};
      Result<PpcTimeout> t = parse_ppc_timeout(*v);
      if (!t) return Error{t.error()};
      o.ppc_timeouts.push_back(*t);
    } else if (a == "--ppc-fail-fast") {
      o.ppc_fail_fast = true;
    } else if (a == "--boot-report") {
      o.boot_report = true;
    } else if (is("--disk")) {
      Result<std::string> v = value("--disk");
      if (!v) return Error{v.error()};
      Result<DiskOption> disk = parse_disk_option(*v);
      if (!disk) return Error{disk.error()};
      if (o.disks.size() == 8) return Error{"--disk: the host board has 8 block devices"};
      o.disks.push_back(std::move(*disk));
    } else if (!a.empty() && a[0] == '-') {
      return Error{"unknown option '" + a + "'"};
    } else if (image_path != nullptr && image_path->empty()) {
      *image_path = a;
    } else {
      return Error{"unexpected argument '" + a + "'"};
    }
  }
  return o;
}

}  // namespace corokit::runtime
