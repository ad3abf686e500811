// TEST-ONLY credentials (never use them for anything real): a P-256 CA and a "localhost" server
// certificate it signed, valid for 100 years, for the TLS fuzz target and benchmark, which cannot
// run the openssl CLI. Generated once with:
//   openssl ecparam -name prime256v1 -genkey -noout -out ca.key
//   openssl req -x509 -new -key ca.key -sha256 -days 36500 -subj /CN=corokit-test-ca -out ca.pem
//   openssl ecparam -name prime256v1 -genkey -noout -out leaf.key
//   openssl req -new -key leaf.key -subj /CN=localhost -out leaf.csr
//   printf "subjectAltName=DNS:localhost\n" > san.ext
//   openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 36500 -sha256
//     -extfile san.ext -out leaf.pem   (one command)
// The unit tests make fresh ones at run time instead (tests/tls/TestCredentials.h).
#pragma once

namespace corokit::tls::testing {

inline constexpr char kFixedCa[] = R"(
-----BEGIN CERTIFICATE-----
MIIBizCCATGgAwIBAgIUVf5SNLw4snRjvBLumJn7kZw7kA0wCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPY29yb2tpdC10ZXN0LWNhMCAXDTI2MTEyMTE5MjYxNVoYDzIx
MjYxMDI4MTkyNjE1WjAaMRgwFgYDVQQDDA9jb3Jva2l0LXRlc3QtY2EwWTATBgcq
hkjOPQIBBggqhkjOPQMBBwNCAASAvlFex/8nwcT8F7tfyYh0m/Tua0saUkHP+XDp
fhn8fcjMp3sy6YBvd3fMrSQ6MnaDMo+MqmQ7XqdhFWLsDp31o1MwUTAdBgNVHQ4E
FgQUEucXfXdHudGtOkCqbvqQ9NJS93UwHwYDVR0jBBgwFoAUEucXfXdHudGtOkCq
bvqQ9NJS93UwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAqT3k
HuZLaULn/CGQitYuEDHpH4lF9+3bqYbRoeBanAICIDSS/k+3n+OLiw8Wjd03l8XV
YhN/++7Uyh46m9zHZycz
-----END CERTIFICATE-----
)";

inline constexpr char kFixedLeaf[] = R"(
-----BEGIN CERTIFICATE-----
MIIBizCCATCgAwIBAgIUAUYvmB9PF14+vhqzkAD0FGDKFYMwCgYIKoZIzj0EAwIw
GjEYMBYGA1UEAwwPY29yb2tpdC10ZXN0LWNhMCAXDTI2MTEyMTE5MjYxNVoYDzIx
MjYxMDI4MTkyNjE1WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAATnK7UFEu087ZudqgO7f3eMw3QRrMUcPsRaL3MfeckOKFbV
5BaM7D6DMOCRgUVgN7h8sZ6xIevvQb1sxKnCOQO5o1gwVjAUBgNVHREEDTALggls
b2NhbGhvc3QwHQYDVR0OBBYEFDSujsf9k1KT0YoZ8Wj/QB7WG0qnMB8GA1UdIwQY
MBaAFBLnF313R7nRrTpAqm76kPTSUvd1MAoGCCqGSM49BAMCA0kAMEYCIQDMka8r
0UQl0e0pZU5sNY8kXCQDP82uCpQz6iONn/n30wIhAPssErbPqhafBCU+1GsCG6yt
970NUhAlUk0tXWj7yAt2
-----END CERTIFICATE-----
)";

inline constexpr char kFixedLeafKey[] = R"(
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMXVFiztPCq9Wa73qpAilG6gKNn1EeCp5vwi4lNkwd0UoAoGCCqGSM49
AwEHoUQDQgAE5yu1BRLtPO2bnaoDu393jMN0EazFHD7EWi9zH3nJDihW1eQWjOw+
gzDgkYFFYDe4fLGesSHr70G9bMSpwjkDuQ==
-----END EC PRIVATE KEY-----
)";

}  // namespace corokit::tls::testing
