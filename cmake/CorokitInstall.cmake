# `cmake --install`: headers, the SDK libraries, the corokit tool, and a package config so that a
# user's project can use corokit_add_pd / corokit_add_system after find_package(corokit).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/sdk/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/corokit/sdk
        FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/executor/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/corokit/executor
        FILES_MATCHING PATTERN "*.h" PATTERN "host" EXCLUDE)

set_target_properties(corokit_sdk PROPERTIES EXPORT_NAME sdk)
set_target_properties(corokit_sdk_host PROPERTIES EXPORT_NAME sdk_host)
set_target_properties(corokit_executor_pd PROPERTIES EXPORT_NAME executor)
set(corokit_install_targets corokit_sdk corokit_sdk_host corokit_executor_pd)
if(TARGET corokit)
  set_target_properties(corokit PROPERTIES EXPORT_NAME corokit)
  list(APPEND corokit_install_targets corokit)
endif()
install(TARGETS ${corokit_install_targets} EXPORT corokitTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT corokitTargets NAMESPACE corokit:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/corokit)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/corokitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/corokitConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/corokit)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/corokitConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/corokitConfig.cmake ${PROJECT_BINARY_DIR}/corokitConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/CorokitPd.cmake ${PROJECT_SOURCE_DIR}/cmake/CorokitGen.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/corokit)
