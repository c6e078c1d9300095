# `cmake --install`: the aotc executable, the Triton helper beside it (share/aotc), the runtime
# (libaotc_runtime.so and the self-contained libaotc_runtime.a), its header, and the CMake package
# (lib/cmake/aotc: aotcConfig.cmake, its version file, the exported targets and
# aotc_add_kernel_library). docs/CMAKE.md describes using it.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(aotc PROPERTIES EXPORT_NAME aotc)
set_target_properties(aotc_runtime_shared PROPERTIES EXPORT_NAME runtime)
set_target_properties(aotc_runtime PROPERTIES EXPORT_NAME runtime_static)
install(TARGETS aotc aotc_runtime aotc_runtime_shared EXPORT aotcTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/aotc DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/tools/triton/aotc_triton_helper.py
        DESTINATION ${CMAKE_INSTALL_DATADIR}/aotc)

set(package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/aotc)
install(EXPORT aotcTargets NAMESPACE aotc:: DESTINATION ${package_dir})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/aotcConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/aotcConfig.cmake INSTALL_DESTINATION ${package_dir})
# 0.x: a minor version may change the interfaces.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/aotcConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/aotcConfig.cmake ${PROJECT_BINARY_DIR}/aotcConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/aotcKernelLibrary.cmake
        DESTINATION ${package_dir})
