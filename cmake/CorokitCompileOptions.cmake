# Compile options for corokit's own code. Third-party code comes from Debian packages and is
# never compiled with these flags.
add_compile_options(-Wall -Wextra -Werror)

if(COROKIT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(COROKIT_BUILD_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "COROKIT_BUILD_FUZZ needs clang (libFuzzer): use the 'fuzz' preset")
  endif()
  # Instrument everything for coverage; the fuzz targets themselves add -fsanitize=fuzzer.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()
