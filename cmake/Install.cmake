# `cmake --install`: the executable, the rule docs and a relocatable CMake package
# (find_package(ckptlint) -> ckptlint::ckptlint and ckptlint_check()). The LibTorch plugin has
# its own install rule (linter/model/plugin). Tests install nothing. Packaging (CPack, man page,
# completion) lives in cmake/Packaging.cmake.
include(CMakePackageConfigHelpers)

# Fixed, not GNUInstallDirs: the plugin loader looks in <exe dir>/../lib/ckptlint whatever the
# platform's libdir, and find_package searches <prefix>/lib/cmake/<name>/ on every platform.
set(CKPTLINT_INSTALL_BINDIR bin)
set(CKPTLINT_INSTALL_RULE_DOCSDIR share/doc/ckptlint/rules)
set(CKPTLINT_INSTALL_CMAKEDIR lib/cmake/ckptlint)

install(TARGETS ckptlint EXPORT ckptlintTargets RUNTIME DESTINATION ${CKPTLINT_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/rules/ DESTINATION ${CKPTLINT_INSTALL_RULE_DOCSDIR}
        FILES_MATCHING PATTERN "CKL*.md")

# The imported target's location is written relative to the package's own folder.
install(EXPORT ckptlintTargets NAMESPACE ckptlint:: FILE ckptlintTargets.cmake
        DESTINATION ${CKPTLINT_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/ckptlintConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/ckptlintConfig.cmake
  INSTALL_DESTINATION ${CKPTLINT_INSTALL_CMAKEDIR}
  PATH_VARS CKPTLINT_INSTALL_BINDIR CKPTLINT_INSTALL_RULE_DOCSDIR)
# A 0.x release promises nothing across minor versions.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/ckptlintConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/ckptlintConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/ckptlintConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/ckptlintCheck.cmake
              ${CMAKE_CURRENT_LIST_DIR}/ckptlintCheckDriver.cmake
              ${CMAKE_CURRENT_LIST_DIR}/ckptlintCheckInputs.cmake
        DESTINATION ${CKPTLINT_INSTALL_CMAKEDIR})
