#include "system/runtime/OutputSink.h"

#include <unistd.h>

#include <utility>

namespace corokit::runtime {

OutputSink::OutputSink(OutputOptions options, int out_fd) : options_(std::move(options)), out_fd_(out_fd) {
  if (!options_.log_path.empty()) log_ = std::fopen(options_.log_path.c_str(), "w");
  if (!options_.json_path.empty()) json_ = std::fopen(options_.json_path.c_str(), "w");
}

OutputSink::~OutputSink() {
  if (log_ != nullptr) std::fclose(log_);
  if (json_ != nullptr) std::fclose(json_);
}

void OutputSink::emit(const std::string& text) {
  const char* p = text.data();
  size_t left = text.size();
  while (left > 0) {
    ssize_t n = write(out_fd_, p, left);
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

void OutputSink::check_until(std::string_view line) {
  if (!options_.until.empty() && line.find(options_.until) != std::string_view::npos) until_seen_ = true;
}

void OutputSink::pd_line(std::string_view pd, unsigned colour_index, std::string_view line) {
  if (log_ != nullptr) std::fprintf(log_, "[%.*s] %.*s\n", int(pd.size()), pd.data(), int(line.size()), line.data());
  check_until(line);
  if (options_.drop_pd_output) return;
  std::string text;
  if (options_.prefix) {
    if (options_.colour) {
      static const char* kColours[] = {"32", "34", "35", "36", "33", "92", "94", "95", "96", "93"};
      text += "\033[";
      text += kColours[colour_index % 10];
      text += "m[";
      text += pd;
      text += "]\033[0m ";
    } else {
      text += "[";
      text += pd;
      text += "] ";
    }
  }
  text += line;
  text += '\n';
  emit(text);
}

void OutputSink::monitor_line(std::string_view line) {
  if (log_ != nullptr) std::fprintf(log_, "%.*s\n", int(line.size()), line.data());
  check_until(line);
  std::string text(line);
  text += '\n';
  emit(text);
}

void OutputSink::log_only(std::string_view line) {
  if (log_ != nullptr) std::fprintf(log_, "%.*s\n", int(line.size()), line.data());
}

void OutputSink::json_event(const std::string& json_object) {
  if (json_ == nullptr) return;
  std::fprintf(json_, "%s\n", json_object.c_str());
  std::fflush(json_);
}

}  // namespace corokit::runtime
