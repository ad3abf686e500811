# Compiles every executor source, plus a file that instantiates the whole API, with the aarch64
# cross compiler in freestanding mode, then checks that the objects need nothing from a C library.
# Run by ctest: cmake -DCXX=... -DNM=... -DSOURCE_DIR=... -DBINARY_DIR=... -P FreestandingCheck.cmake
if(NOT CXX OR NOT EXISTS "${CXX}")
  # ctest reports the test as skipped when it prints this line (SKIP_REGULAR_EXPRESSION).
  message("SKIPPED: aarch64-linux-gnu-g++ not found (install g++-aarch64-linux-gnu: scripts/setup)")
  return()
endif()

cmake_minimum_required(VERSION 3.25)

# Every source under executor/ except the host-only helpers in executor/host/.
file(GLOB_RECURSE sources "${SOURCE_DIR}/executor/*.cpp")
list(FILTER sources EXCLUDE REGEX "/executor/host/")
# The lwIP adapter needs lwIP's headers and a C library (memcpy, memset, ...): a library of its own
# (executor/net/CMakeLists.txt, docs/net.md). The rest of executor/net is freestanding.
list(FILTER sources EXCLUDE REGEX "/executor/net/(LwipPort|NetStack|Tcp|Udp)\\.cpp$")
list(APPEND sources "${SOURCE_DIR}/tests/executor/FreestandingUse.cpp" "${SOURCE_DIR}/tests/block/FreestandingBlockUse.cpp")
file(MAKE_DIRECTORY "${BINARY_DIR}")

set(objects)
foreach(source IN LISTS sources)
  file(RELATIVE_PATH rel "${SOURCE_DIR}" "${source}")
  string(REPLACE "/" "_" name "${rel}")
  set(object "${BINARY_DIR}/${name}.o")
  execute_process(
    COMMAND "${CXX}" -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -Wall -Wextra -Werror -O2
            -I "${SOURCE_DIR}" -c "${source}" -o "${object}"
    RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "freestanding aarch64 build failed: ${source}")
  endif()
  list(APPEND objects "${object}")
endforeach()

execute_process(COMMAND "${CXX}" -nostdlib -r -o "${BINARY_DIR}/executor-all.o" ${objects}
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "partial link of the freestanding objects failed")
endif()
execute_process(COMMAND "${NM}" -u "${BINARY_DIR}/executor-all.o" OUTPUT_VARIABLE undefined RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "nm failed")
endif()

# What any freestanding C++ environment provides: the compiler's memory builtins and the pure
# virtual trap of the C++ ABI.
set(allowed memset memcpy memmove memcmp __cxa_pure_virtual)
string(REGEX MATCHALL "[^\n ]+\n" lines "${undefined}")
set(bad)
foreach(line IN LISTS lines)
  string(STRIP "${line}" symbol)
  if(symbol STREQUAL "U" OR symbol STREQUAL "w" OR symbol STREQUAL "")
    continue()
  endif()
  if(NOT symbol IN_LIST allowed)
    list(APPEND bad "${symbol}")
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "the freestanding executor needs symbols a bare-metal runtime lacks: ${bad}")
endif()
list(LENGTH sources count)
message("freestanding aarch64 build of ${count} sources: OK, undefined symbols limited to: ${allowed}")
