# Packaging: the man page and the bash completion, generated at build time by the ckptlint just
# built (from its command table and the rule pages compiled into it, so they cannot drift from
# --help), their install rules, and Debian packages via CPack:
#   cpack -G DEB --config build/CPackConfig.cmake     (or: cmake --build build --target package)
# gives ckptlint_VERSION_ARCH.deb (executable, man page, completion, rule docs, CMake package)
# and, when the LibTorch plugin is built, ckptlint-torchscript_VERSION_ARCH.deb (the plugin
# alone, depending on LibTorch). The plugin is a package of its own because LibTorch is large
# and only TorchScript model definitions need it; ckptlint "Suggests" it.
# Included last from the root CMakeLists: CPack packages the install rules declared before it.

set(CKPTLINT_MAN_PAGE ${PROJECT_BINARY_DIR}/ckptlint.1)
set(CKPTLINT_BASH_COMPLETION ${PROJECT_BINARY_DIR}/completions/ckptlint)
add_custom_command(OUTPUT ${CKPTLINT_MAN_PAGE}
  COMMAND ckptlint manpage -o ${CKPTLINT_MAN_PAGE}
  DEPENDS ckptlint
  COMMENT "Generating the man page ckptlint.1" VERBATIM)
add_custom_command(OUTPUT ${CKPTLINT_BASH_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/completions
  COMMAND ckptlint completion bash -o ${CKPTLINT_BASH_COMPLETION}
  DEPENDS ckptlint
  COMMENT "Generating the bash completion" VERBATIM)
add_custom_target(ckptlint_generated_docs ALL DEPENDS ${CKPTLINT_MAN_PAGE} ${CKPTLINT_BASH_COMPLETION})

install(FILES ${CKPTLINT_MAN_PAGE} DESTINATION share/man/man1)
install(FILES ${CKPTLINT_BASH_COMPLETION} DESTINATION share/bash-completion/completions)

# --- CPack: Debian packages -------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ckptlint)
set(CPACK_PACKAGE_VENDOR ckptlint)
set(CPACK_PACKAGE_CONTACT "ckptlint maintainers <ckptlint@users.noreply.github.com>")
# Debian descriptions: the summary line, then the long description. (CPACK_PACKAGE_DESCRIPTION_SUMMARY
# stays unset: CPack would put it before each package's own summary line.)
string(CONCAT CPACK_DEBIAN_CKPTLINT_DESCRIPTION "static linter for PyTorch checkpoints (never executes the pickle)\n"
  "ckptlint reads torch.save files, TorchScript archives, safetensors files and sharded checkpoints "
  "without running their pickle code, compares them with a model definition (a JSON spec, a reference "
  "checkpoint or a TorchScript archive) and reports missing, unexpected, renamed and wrapper-prefixed "
  "keys, shape and dtype mismatches, unsafe globals and damaged archives as text, JSON, SARIF or GitHub "
  "annotations; check --apply fixes key names losslessly.")
string(CONCAT CPACK_DEBIAN_TORCHSCRIPT_DESCRIPTION "LibTorch plugin of ckptlint for TorchScript model definitions\n"
  "ckptlint_torchscript.so, loaded by ckptlint only when a model definition (--model) is a TorchScript "
  "archive, and by ckptlint verify, which loads a snapshot's tensors into the TorchScript module.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/ckptlint/ckptlint")

# Depends: the Debian packages of the libraries the binaries link, as dpkg-shlibdeps (dpkg-dev)
# finds them; without it, the packages of Debian bookworm's libraries, listed by hand.
find_program(CKPTLINT_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(CKPTLINT_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_CKPTLINT_PACKAGE_DEPENDS
      "libboost-program-options${Boost_MAJOR_VERSION}.${Boost_MINOR_VERSION}.0, libc6, libgcc-s1, libstdc++6, zlib1g")
  set(CKPTLINT_DEB_TORCH_DEPENDS "libtorch1.13" CACHE STRING
      "Depends of ckptlint-torchscript when dpkg-shlibdeps is not available")
  set(CPACK_DEBIAN_TORCHSCRIPT_PACKAGE_DEPENDS "${CKPTLINT_DEB_TORCH_DEPENDS}, ")
endif()
# The plugin is built with this very ckptlint (same plugin API version); dpkg-shlibdeps appends
# LibTorch's packages to this.
string(APPEND CPACK_DEBIAN_TORCHSCRIPT_PACKAGE_DEPENDS "ckptlint (= ${PROJECT_VERSION})")

# One package per component group: the plugin's component ("torchscript", set by its install
# rule) in ckptlint-torchscript, everything else in ckptlint.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_DEBIAN_CKPTLINT_PACKAGE_NAME ckptlint)
set(CPACK_DEBIAN_TORCHSCRIPT_PACKAGE_NAME ckptlint-torchscript)
set(CPACK_DEBIAN_TORCHSCRIPT_PACKAGE_SECTION devel)
get_cmake_property(CKPTLINT_INSTALL_COMPONENTS COMPONENTS)
if("torchscript" IN_LIST CKPTLINT_INSTALL_COMPONENTS)
  set(CPACK_DEBIAN_CKPTLINT_PACKAGE_SUGGESTS ckptlint-torchscript)
endif()

include(CPack)
cpack_add_component_group(ckptlint)
cpack_add_component_group(torchscript)
foreach(component IN LISTS CKPTLINT_INSTALL_COMPONENTS)
  if(component STREQUAL "torchscript")
    cpack_add_component(${component} GROUP torchscript)
  else()
    cpack_add_component(${component} GROUP ckptlint)
  endif()
endforeach()
