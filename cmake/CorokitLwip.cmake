# lwIP as a static, single-threaded (NO_SYS=1) library built from Debian's own source package.
#
# Debian's liblwip-dev cannot be used as is: it is built with NO_SYS=0 (a tcpip thread and pthread
# sys_arch) and ships only a shared library, while PDs are static, single-threaded, seccomp-confined
# executables (docs/net.md). scripts/setup fetches the source package (`apt-get source lwip`, with
# Debian's patches applied) into a cache outside the tree; this file compiles it with corokit's
# lwipopts.h (executor/net/lwip/). lwIP sources are never committed.
#
#   COROKIT_LWIP_SOURCE_DIR  the unpacked source package (default: the newest lwip-* in
#                            $XDG_CACHE_HOME/corokit/lwip or ~/.cache/corokit/lwip)
#
# Targets: corokit_lwip (host code, tests; may carry sanitizers) and corokit_lwip_pd (for PD ELFs,
# never instrumented).

if(NOT COROKIT_LWIP_SOURCE_DIR)
  if(DEFINED ENV{XDG_CACHE_HOME})
    set(_lwip_cache "$ENV{XDG_CACHE_HOME}/corokit/lwip")
  else()
    set(_lwip_cache "$ENV{HOME}/.cache/corokit/lwip")
  endif()
  file(GLOB _lwip_dirs LIST_DIRECTORIES true "${_lwip_cache}/lwip-*")
  list(FILTER _lwip_dirs EXCLUDE REGEX "\\.(tar|dsc|xz)")
  list(SORT _lwip_dirs COMPARE NATURAL ORDER DESCENDING)
  if(_lwip_dirs)
    list(GET _lwip_dirs 0 _lwip_dir)
  endif()
  set(COROKIT_LWIP_SOURCE_DIR "${_lwip_dir}" CACHE PATH "lwIP source package (apt-get source lwip)")
endif()

if(NOT EXISTS "${COROKIT_LWIP_SOURCE_DIR}/src/core/tcp.c")
  message(FATAL_ERROR "lwIP sources not found (COROKIT_LWIP_SOURCE_DIR='${COROKIT_LWIP_SOURCE_DIR}'): "
                      "run scripts/setup, which fetches Debian's lwip source package into ~/.cache/corokit/lwip")
endif()
message(STATUS "lwIP sources: ${COROKIT_LWIP_SOURCE_DIR}")

set(LWIP_DIR "${COROKIT_LWIP_SOURCE_DIR}")
include("${LWIP_DIR}/src/Filelists.cmake")
set(COROKIT_LWIP_SOURCES ${lwipcore_SRCS} ${lwipcore4_SRCS} ${lwipcore6_SRCS} ${LWIP_DIR}/src/netif/ethernet.c)
# corokit's configuration (lwipopts.h, arch/cc.h) comes first.
set(COROKIT_LWIP_INCLUDES "${PROJECT_SOURCE_DIR}/executor/net/lwip" "${LWIP_DIR}/src/include")

function(corokit_lwip_library name)
  add_library(${name} STATIC ${COROKIT_LWIP_SOURCES})
  target_include_directories(${name} SYSTEM PUBLIC ${COROKIT_LWIP_INCLUDES})
  # Third-party code: not held to corokit's warning flags.
  target_compile_options(${name} PRIVATE -w -Wno-error)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE OFF C_VISIBILITY_PRESET default)
endfunction()

corokit_lwip_library(corokit_lwip)
corokit_lwip_library(corokit_lwip_pd)
corokit_strip_sanitizers(corokit_lwip_pd)
