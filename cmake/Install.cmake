# Installation: headers, the library, a CMake package (find_package(vmm) -> vmm::vmm) and
# a pkg-config file (vmm.pc).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS vmm vmm_fmt EXPORT vmmTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/vmm DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT vmmTargets NAMESPACE vmm:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vmm)
configure_package_config_file(cmake/vmmConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/vmmConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vmm)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/vmmConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/vmmConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/vmmConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vmm)
configure_file(cmake/vmm.pc.in ${CMAKE_CURRENT_BINARY_DIR}/vmm.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/vmm.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(VMM_BUILD_GUESTS)
  install(DIRECTORY ${CMAKE_BINARY_DIR}/guests/ DESTINATION ${CMAKE_INSTALL_DATADIR}/vmm/guests
    FILES_MATCHING PATTERN "*.elf")
endif()
