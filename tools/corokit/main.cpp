#include <cstdio>
int main() { std::puts("corokit " COROKIT_VERSION); }
