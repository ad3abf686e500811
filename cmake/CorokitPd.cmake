# Building PDs and packing systems (docs/sdk.md):
#
#   corokit_add_pd(NAME SOURCES src... [LIBRARIES lib...])
#     A PD ELF for the host board: static, non-PIE, linked at Microkit's base 0x200000, entered
#     through corokit's startup code, against the SDK (C microkit.h and the C++ API).
#   corokit_add_system(NAME SYSTEM_XML file PDS pd... [OUTPUT file])
#     Packs the system into NAME.img with `corokit pack` once the PDs are built.
#   corokit_generate_bindings(TARGET pd SYSTEM_XML file PD name [LANG cpp|c] ...)
#     A PD's typed bindings, generated at build time (cmake/CorokitGen.cmake).
#
# Works inside the corokit tree and, after `cmake --install`, from a user's project through
# find_package(corokit).

include(${CMAKE_CURRENT_LIST_DIR}/CorokitGen.cmake)

# Sanitizers cannot be linked statically: PD code is always built without them.
function(corokit_strip_sanitizers target)
  foreach(prop COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(opts ${target} ${prop})
    if(opts)
      list(FILTER opts EXCLUDE REGEX "sanitize")
      set_property(TARGET ${target} PROPERTY ${prop} ${opts})
    endif()
  endforeach()
endfunction()

function(corokit_add_pd name)
  cmake_parse_arguments(PD "" "" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT PD_SOURCES)
    message(FATAL_ERROR "corokit_add_pd(${name}): SOURCES is required")
  endif()
  add_executable(${name} ${PD_SOURCES})
  target_link_libraries(${name} PRIVATE ${PD_LIBRARIES} corokit::sdk_host corokit::sdk corokit::executor)
  target_link_options(${name} PRIVATE -static -no-pie -Wl,-Ttext-segment=0x200000
                      -Wl,-e,corokit_host_start -Wl,-u,corokit_host_start)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  corokit_strip_sanitizers(${name})
endfunction()

function(corokit_add_system name)
  cmake_parse_arguments(SYS "" "SYSTEM_XML;OUTPUT" "PDS;SEARCH_PATH" ${ARGN})
  if(NOT SYS_SYSTEM_XML)
    message(FATAL_ERROR "corokit_add_system(${name}): SYSTEM_XML is required")
  endif()
  if(NOT SYS_OUTPUT)
    set(SYS_OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${name}.img)
  endif()
  set(search)
  foreach(pd ${SYS_PDS})
    list(APPEND search $<TARGET_FILE_DIR:${pd}>)
  endforeach()
  list(APPEND search ${SYS_SEARCH_PATH})
  list(REMOVE_DUPLICATES search)
  get_filename_component(xml ${SYS_SYSTEM_XML} ABSOLUTE)
  if(TARGET corokit::corokit)
    set(tool $<TARGET_FILE:corokit::corokit>)
  else()
    set(tool $<TARGET_FILE:corokit>)
  endif()
  add_custom_command(OUTPUT ${SYS_OUTPUT}
    COMMAND ${tool} pack ${xml} -o ${SYS_OUTPUT} --search-path ${search}
    DEPENDS ${xml} ${SYS_PDS}
    COMMENT "Packing ${name}"
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(${name} ALL DEPENDS ${SYS_OUTPUT})
  set_target_properties(${name} PROPERTIES COROKIT_IMAGE ${SYS_OUTPUT})
endfunction()
