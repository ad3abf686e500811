#include "tests/tls/TestCredentials.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace corokit::tls::testing {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class Generated {
 public:
  Generated() {
    char pattern[] = "/tmp/corokit-tls-XXXXXX";
    if (mkdtemp(pattern) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    dir_ = pattern;
    const std::string d = dir_.string();
    const std::string script =
        "set -e; cd '" + d + "'; exec >log 2>&1\n"
        "ec() { openssl ecparam -name prime256v1 -genkey -noout -out \"$1\"; }\n"
        "ca() { openssl req -x509 -new -key \"$1\" -sha256 -days 3 -subj \"/CN=$3\" -out \"$2\"; }\n"
        "leaf() { openssl req -new -key \"$1\" -subj /CN=localhost -out \"$1.csr\";"
        " printf 'subjectAltName=DNS:localhost\\n' > san.ext;"
        " openssl x509 -req -in \"$1.csr\" -CA \"$2\" -CAkey \"$3\" -CAcreateserial -days 3 -sha256"
        " -extfile san.ext -out \"$4\"; }\n"
        "ec ca.key; ca ca.key ca.pem corokit-test-ca\n"
        "ec leaf.key; leaf leaf.key ca.pem ca.key leaf.pem\n"
        "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key\n"
        "leaf rsa.key ca.pem ca.key rsa.pem\n"
        "ec other-ca.key; ca other-ca.key other-ca.pem corokit-other-ca\n"
        "ec other.key; leaf other.key other-ca.pem other-ca.key other.pem\n";
    std::ofstream(dir_ / "make.sh") << script;
    const std::string command = "sh '" + (dir_ / "make.sh").string() + "'";
    if (std::system(command.c_str()) != 0) {
      ADD_FAILURE() << "openssl failed (is it installed? scripts/setup): " << slurp(dir_ / "log");
      return;
    }
    c_.ca = slurp(dir_ / "ca.pem");
    c_.leaf = slurp(dir_ / "leaf.pem");
    c_.leaf_key = slurp(dir_ / "leaf.key");
    c_.chain = c_.leaf + c_.ca;
    c_.rsa_leaf = slurp(dir_ / "rsa.pem");
    c_.rsa_key = slurp(dir_ / "rsa.key");
    c_.other_ca = slurp(dir_ / "other-ca.pem");
    c_.other_leaf = slurp(dir_ / "other.pem");
    c_.other_key = slurp(dir_ / "other.key");
    c_.ca_file = (dir_ / "ca.pem").string();
  }
  ~Generated() {
    std::error_code ignored;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  }
  const Credentials& credentials() const { return c_; }

 private:
  std::filesystem::path dir_;
  Credentials c_;
};

}  // namespace

const Credentials& credentials() {
  static const Generated generated;
  return generated.credentials();
}

}  // namespace corokit::tls::testing
