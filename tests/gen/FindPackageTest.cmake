# corokit_generate_bindings from a user's project after `cmake --install`: the bindings are
# generated at build time, regenerated when the SDF changes (and the PD rebuilt), and left alone
# (no rebuild) when the SDF changes in a way that does not concern the PD.
#   cmake -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=... -P FindPackageTest.cmake
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed")
endif()
file(COPY ${SOURCE_DIR}/tests/gen/consumer/ DESTINATION ${WORK_DIR}/src)
set(build ${WORK_DIR}/build)
set(sdf ${WORK_DIR}/src/app.system)
set(header ${build}/corokit_gen/app/app_bindings.h)

function(build_consumer what)
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${build} -j2
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "building the consumer (${what}) failed:\n${out}")
  endif()
endfunction()

function(expect_header text what)
  file(READ ${header} content)
  string(FIND "${content}" "${text}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${what}: '${text}' not in the generated header:\n${content}")
  endif()
endfunction()

execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK_DIR}/src -B ${build} -G Ninja
                        -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer failed:\n${out}")
endif()
build_consumer("first build")
expect_header("peer{1};" "first build")
file(READ ${build}/corokit_gen/peer/peer_ids.h peer_header)
if(NOT peer_header MATCHES "PEER_CH_APP = 0,")
  message(FATAL_ERROR "the C header lacks PEER_CH_APP:\n${peer_header}")
endif()

# An edit that does not concern PD app: its header keeps its time stamp, app is not relinked.
file(TIMESTAMP ${header} header_before "%s")
file(TIMESTAMP ${build}/app app_before "%s")
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
file(READ ${sdf} text)
string(REPLACE "name=\"peer\" priority=\"20\"" "name=\"peer\" priority=\"30\"" text "${text}")
file(WRITE ${sdf} "${text}")
build_consumer("after an unrelated edit")
file(TIMESTAMP ${header} header_after "%s")
file(TIMESTAMP ${build}/app app_after "%s")
if(NOT header_before STREQUAL header_after OR NOT app_before STREQUAL app_after)
  message(FATAL_ERROR "an SDF edit that does not concern PD app rewrote its header or rebuilt it")
endif()

# An edit that does: the header is regenerated and app rebuilt.
execute_process(COMMAND ${CMAKE_COMMAND} -E sleep 1.1)
string(REPLACE "<end pd=\"app\" id=\"1\" />" "<end pd=\"app\" id=\"7\" />" text "${text}")
file(WRITE ${sdf} "${text}")
build_consumer("after changing app's channel id")
expect_header("peer{7};" "after the edit")
file(TIMESTAMP ${build}/app app_rebuilt "%s")
if(app_rebuilt STREQUAL app_before)
  message(FATAL_ERROR "PD app was not rebuilt after its bindings changed")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
