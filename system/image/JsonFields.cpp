#include "system/image/JsonFields.h"

namespace corokit::image {
namespace {

const nlohmann::json& empty_array() {
  static const nlohmann::json a = nlohmann::json::array();
  return a;
}
const nlohmann::json& empty_object() {
  static const nlohmann::json o = nlohmann::json::object();
  return o;
}

}  // namespace

const nlohmann::json* JsonFields::member(const json& obj, const std::string& where, const char* key,
                                         bool required) {
  if (!obj.is_object()) {
    fail(where, "not an object");
    return nullptr;
  }
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) fail(where, std::string("missing '") + key + "'");
    return nullptr;
  }
  return &*it;
}

uint64_t JsonFields::u64(const json& obj, const std::string& where, const char* key) {
  const json* v = member(obj, where, key);
  if (!v) return 0;
  if (!v->is_number_unsigned()) {
    fail(where, std::string("'") + key + "' is not an unsigned integer");
    return 0;
  }
  return v->get<uint64_t>();
}

std::optional<uint64_t> JsonFields::opt_u64(const json& obj, const std::string& where, const char* key) {
  if (!member(obj, where, key, false)) return std::nullopt;
  return u64(obj, where, key);
}

bool JsonFields::boolean(const json& obj, const std::string& where, const char* key) {
  const json* v = member(obj, where, key);
  if (!v) return false;
  if (!v->is_boolean()) {
    fail(where, std::string("'") + key + "' is not a boolean");
    return false;
  }
  return v->get<bool>();
}

std::string JsonFields::str(const json& obj, const std::string& where, const char* key) {
  const json* v = member(obj, where, key);
  if (!v) return {};
  if (!v->is_string()) {
    fail(where, std::string("'") + key + "' is not a string");
    return {};
  }
  return v->get_ref<const std::string&>();
}

std::optional<std::string> JsonFields::opt_str(const json& obj, const std::string& where, const char* key) {
  if (!member(obj, where, key, false)) return std::nullopt;
  return str(obj, where, key);
}

const nlohmann::json& JsonFields::array(const json& obj, const std::string& where, const char* key) {
  const json* v = member(obj, where, key);
  if (!v) return empty_array();
  if (!v->is_array()) {
    fail(where, std::string("'") + key + "' is not an array");
    return empty_array();
  }
  return *v;
}

const nlohmann::json& JsonFields::object(const json& obj, const std::string& where, const char* key) {
  const json* v = member(obj, where, key);
  if (!v) return empty_object();
  if (!v->is_object()) {
    fail(where, std::string("'") + key + "' is not an object");
    return empty_object();
  }
  return *v;
}

std::optional<std::reference_wrapper<const nlohmann::json>> JsonFields::opt_object(const json& obj,
                                                                                 const std::string& where,
                                                                                 const char* key) {
  if (!member(obj, where, key, false)) return std::nullopt;
  return std::cref(object(obj, where, key));
}

}  // namespace corokit::image
