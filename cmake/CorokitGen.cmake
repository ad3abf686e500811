# Generated bindings (docs/gen.md):
#
#   corokit_generate_bindings(TARGET pd_target SYSTEM_XML file PD name
#                             [LANG cpp|c] [HEADER file.h] [NAMESPACE ns] [SEARCH_PATH dir...])
#     Runs `corokit gen` at build time and adds the header's directory to the target's include
#     path. The header is regenerated whenever the SDF (or a prefill file it names, or the corokit
#     tool) changes; it is rewritten only when its text changes, so unrelated SDF edits rebuild
#     nothing. HEADER defaults to <PD>_bindings.h (<PD> made an identifier); SEARCH_PATH is where
#     relative prefill paths are looked for (default: the SDF's directory). Call it in the directory
#     that creates the target.
#
# Works inside the corokit tree and, after `cmake --install`, through find_package(corokit).

function(corokit_generate_bindings)
  cmake_parse_arguments(GEN "" "TARGET;SYSTEM_XML;PD;LANG;HEADER;NAMESPACE" "SEARCH_PATH" ${ARGN})
  foreach(required TARGET SYSTEM_XML PD)
    if(NOT GEN_${required})
      message(FATAL_ERROR "corokit_generate_bindings: ${required} is required")
    endif()
  endforeach()
  if(NOT TARGET ${GEN_TARGET})
    message(FATAL_ERROR "corokit_generate_bindings: '${GEN_TARGET}' is not a target")
  endif()
  if(NOT GEN_LANG)
    set(GEN_LANG cpp)
  endif()
  if(NOT GEN_LANG STREQUAL "cpp" AND NOT GEN_LANG STREQUAL "c")
    message(FATAL_ERROR "corokit_generate_bindings: LANG must be cpp or c, not '${GEN_LANG}'")
  endif()
  if(NOT GEN_HEADER)
    string(MAKE_C_IDENTIFIER "${GEN_PD}" pd_ident)
    set(GEN_HEADER ${pd_ident}_bindings.h)
  endif()
  get_filename_component(xml ${GEN_SYSTEM_XML} ABSOLUTE)
  get_filename_component(xml_dir ${xml} DIRECTORY)
  if(NOT GEN_SEARCH_PATH)
    set(GEN_SEARCH_PATH ${xml_dir})
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/corokit_gen/${GEN_TARGET})
  set(header ${dir}/${GEN_HEADER})
  string(MAKE_C_IDENTIFIER "${GEN_HEADER}" depname)
  set(depfile ${dir}/${depname}.d)
  set(extra)
  if(GEN_NAMESPACE)
    list(APPEND extra --namespace ${GEN_NAMESPACE})
  endif()
  if(TARGET corokit::corokit)
    set(tool $<TARGET_FILE:corokit::corokit>)  # installed: depend on the executable's file
  else()
    set(tool corokit)                         # in the tree: the target (rebuilt first)
  endif()
  file(MAKE_DIRECTORY ${dir})
  add_custom_command(OUTPUT ${header}
    COMMAND ${tool} gen ${xml} --pd ${GEN_PD} --lang ${GEN_LANG} -o ${header}
            --depfile ${depfile} ${extra} --search-path ${GEN_SEARCH_PATH}
    DEPENDS ${xml} ${tool}
    DEPFILE ${depfile}
    COMMENT "Generating ${GEN_LANG} bindings of PD '${GEN_PD}' from ${GEN_SYSTEM_XML}"
    VERBATIM)
  target_sources(${GEN_TARGET} PRIVATE ${header})
  target_include_directories(${GEN_TARGET} PRIVATE ${dir})
endfunction()
