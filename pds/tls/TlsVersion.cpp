#include "pds/tls/TlsVersion.h"

namespace corokit::tls {

const char* to_string(TlsVersion version) noexcept {
  switch (version) {
    case TlsVersion::None: return "";
    case TlsVersion::Tls12: return "TLSv1.2";
    case TlsVersion::Tls13: return "TLSv1.3";
  }
  return "";
}

}  // namespace corokit::tls
