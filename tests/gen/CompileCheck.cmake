# A compile-time check of generated bindings. Compiles SOURCE with COMPILER and FLAGS ('|'-separated)
# as it stands, which must succeed (so the includes and everything else are fine), then, when
# MISUSE is given, again with -D${MISUSE}, which must fail with a diagnostic matching EXPECT (so it
# fails for the expected reason, not for any reason).
#   cmake -DCOMPILER=... -DFLAGS=... -DSOURCE=... [-DMISUSE=... -DEXPECT=...] -P CompileCheck.cmake
string(REPLACE "|" ";" flags "${FLAGS}")
set(compile ${CMAKE_COMMAND} -E env LC_ALL=C ${COMPILER} ${flags} -fsyntax-only ${SOURCE})

execute_process(COMMAND ${compile} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} must compile as it stands:\n${out}")
endif()
if(NOT MISUSE)
  return()
endif()

execute_process(COMMAND ${compile} -D${MISUSE} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${MISUSE}: compiled, but the bindings must reject it")
endif()
if(NOT out MATCHES "${EXPECT}")
  message(FATAL_ERROR "${MISUSE}: failed to compile, but not with the expected diagnostic /${EXPECT}/:\n${out}")
endif()
message(STATUS "${MISUSE}: rejected as expected")
