// Checked reading of a decoded JSON document without exceptions: each accessor verifies presence
// and type, records the first problem (with the path of the offending field) and returns a
// default, so a decoder can read everything and test `failed()` once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace corokit::image {

class JsonFields {
 public:
  using json = nlohmann::json;

  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  void fail(const std::string& where, const std::string& why) {
    if (error_.empty()) error_ = where + ": " + why;
  }

  const json* member(const json& obj, const std::string& where, const char* key, bool required = true);
  uint64_t u64(const json& obj, const std::string& where, const char* key);
  std::optional<uint64_t> opt_u64(const json& obj, const std::string& where, const char* key);
  bool boolean(const json& obj, const std::string& where, const char* key);
  std::string str(const json& obj, const std::string& where, const char* key);
  std::optional<std::string> opt_str(const json& obj, const std::string& where, const char* key);
  // An array member; an empty static array when missing or mistyped (after recording the error).
  const json& array(const json& obj, const std::string& where, const char* key);
  const json& object(const json& obj, const std::string& where, const char* key);
  std::optional<std::reference_wrapper<const json>> opt_object(const json& obj, const std::string& where,
                                                               const char* key);

 private:
  std::string error_;
};

}  // namespace corokit::image
