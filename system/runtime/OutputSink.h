// Where a run's output goes: whole lines, PD lines prefixed with the PD name (coloured on a
// terminal), monitor lines as they are; everything also into the run log, fault events also as
// JSON lines. Watches for the --until pattern.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace corokit::runtime {

struct OutputOptions {
  bool prefix = true;
  bool colour = false;
  bool drop_pd_output = false;  // mimic a release build: PD debug output is not shown
  std::string log_path;
  std::string json_path;
  std::string until;            // empty: none
};

class OutputSink {
 public:
  explicit OutputSink(OutputOptions options, int out_fd = 1);
  ~OutputSink();
  OutputSink(const OutputSink&) = delete;
  OutputSink& operator=(const OutputSink&) = delete;

  void pd_line(std::string_view pd, unsigned colour_index, std::string_view line);
  void monitor_line(std::string_view line);
  void log_only(std::string_view line);   // the run log, not the console (child faults)
  void json_event(const std::string& json_object);
  bool until_seen() const { return until_seen_; }

 private:
  void emit(const std::string& text);
  void check_until(std::string_view line);

  OutputOptions options_;
  int out_fd_;
  FILE* log_ = nullptr;
  FILE* json_ = nullptr;
  bool until_seen_ = false;
};

}  // namespace corokit::runtime
