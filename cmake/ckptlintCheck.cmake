# ckptlint_check(): lint a checkpoint against a model definition as a build step of a target.
#
#   ckptlint_check(TARGET app CHECKPOINT weights.pt [MODEL model.ts|model.spec.json|reference.pt]
#                  [FAIL_ON error|warning|note] [STATE_DICT path] [VERIFY AUTO|ON|OFF]
#                  [ARGS extra ckptlint check arguments...])
#
# Adds a custom command that runs `ckptlint check CHECKPOINT --model MODEL --fail-on LEVEL` and,
# when the model is a TorchScript archive (VERIFY AUTO, the default: the driver asks
# `ckptlint inspect MODEL --format json` for its format) or VERIFY ON, `ckptlint verify
# CHECKPOINT --model MODEL`, which loads every tensor into the module through LibTorch. A custom
# target `ckptlint_check_<app>` (`_2`, `_3`... for further calls) wraps the command's stamp file
# and `app` depends on it: the build fails when the checkpoint does not fit, printing ckptlint's
# findings, and the check reruns only when the checkpoint, the model, the config file ckptlint
# reads (.ckptlint.cfg or ARGS --config), the ckptlint executable or these arguments change
# (size or mtime, in either direction: a small probe, ckptlintCheckInputs.cmake, runs each build).
# Relative CHECKPOINT and MODEL paths are relative to CMAKE_CURRENT_SOURCE_DIR; ckptlint runs in
# that folder (so a `.ckptlint.cfg` there or above applies, unless ARGS has --isolated).

set_property(GLOBAL PROPERTY CKPTLINT_CHECK_DRIVER "${CMAKE_CURRENT_LIST_DIR}/ckptlintCheckDriver.cmake")
set_property(GLOBAL PROPERTY CKPTLINT_CHECK_INPUTS "${CMAKE_CURRENT_LIST_DIR}/ckptlintCheckInputs.cmake")

# `value` as a CMake bracket argument, so that any path survives the trip through the settings file.
function(_ckptlint_bracket out value)
  set(${out} "[==[${value}]==]" PARENT_SCOPE)
endfunction()

function(ckptlint_check)
  set(one_value TARGET CHECKPOINT MODEL FAIL_ON STATE_DICT VERIFY)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "${one_value}" "ARGS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "ckptlint_check: unknown arguments: ${arg_UNPARSED_ARGUMENTS} "
                        "(takes TARGET, CHECKPOINT, MODEL, FAIL_ON, STATE_DICT, VERIFY, ARGS)")
  endif()
  foreach(keyword IN LISTS arg_KEYWORDS_MISSING_VALUES)
    if(keyword IN_LIST one_value)  # an empty ARGS is fine
      message(FATAL_ERROR "ckptlint_check: ${keyword} needs a value")
    endif()
  endforeach()
  if(NOT arg_TARGET)
    message(FATAL_ERROR "ckptlint_check: TARGET is required (the target whose build runs the check)")
  endif()
  if(NOT arg_CHECKPOINT)
    message(FATAL_ERROR "ckptlint_check: CHECKPOINT is required (the snapshot to check)")
  endif()
  if(NOT TARGET ${arg_TARGET})
    message(FATAL_ERROR "ckptlint_check: no target named '${arg_TARGET}' "
                        "(call ckptlint_check after add_executable/add_library)")
  endif()
  get_target_property(aliased ${arg_TARGET} ALIASED_TARGET)
  if(aliased)
    set(arg_TARGET ${aliased})
  endif()
  get_target_property(imported ${arg_TARGET} IMPORTED)
  if(imported)
    message(FATAL_ERROR "ckptlint_check: '${arg_TARGET}' is an imported target; name a target this project builds")
  endif()
  if(NOT DEFINED arg_FAIL_ON)
    set(arg_FAIL_ON error)
  elseif(NOT arg_FAIL_ON MATCHES "^(error|warning|note)$")
    message(FATAL_ERROR "ckptlint_check: FAIL_ON must be error, warning or note (got '${arg_FAIL_ON}')")
  endif()
  if(NOT DEFINED arg_VERIFY)
    set(arg_VERIFY AUTO)
  endif()
  string(TOUPPER "${arg_VERIFY}" arg_VERIFY)
  if(NOT arg_VERIFY MATCHES "^(AUTO|ON|OFF)$")
    message(FATAL_ERROR "ckptlint_check: VERIFY must be AUTO, ON or OFF (got '${arg_VERIFY}')")
  endif()
  if(arg_VERIFY STREQUAL "ON" AND NOT DEFINED arg_MODEL)
    message(FATAL_ERROR "ckptlint_check: VERIFY ON needs a MODEL (a TorchScript archive)")
  endif()
  if(NOT TARGET ckptlint::ckptlint)
    message(FATAL_ERROR "ckptlint_check: no ckptlint::ckptlint target; call find_package(ckptlint) first")
  endif()

  # One custom target per call: ckptlint_check_<target>, then _2, _3...
  get_target_property(count ${arg_TARGET} CKPTLINT_CHECK_COUNT)
  if(NOT count)
    set(count 0)
  endif()
  math(EXPR count "${count} + 1")
  set_target_properties(${arg_TARGET} PROPERTIES CKPTLINT_CHECK_COUNT ${count})
  set(name ckptlint_check_${arg_TARGET})
  if(count GREATER 1)
    string(APPEND name _${count})
  endif()

  get_filename_component(checkpoint "${arg_CHECKPOINT}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(inputs "${checkpoint}")
  set(model "")
  if(DEFINED arg_MODEL)
    get_filename_component(model "${arg_MODEL}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND inputs "${model}")
  endif()

  # The settings go to a file rather than the command line: ARGS is a list, and a file rewritten
  # only when its content changes lets a changed argument (and nothing else) rerun the check.
  set(work_dir "${CMAKE_CURRENT_BINARY_DIR}/ckptlint_check")
  set(settings "${work_dir}/${name}.settings.cmake")
  set(stamp "${work_dir}/${name}.stamp")
  set(content "")
  foreach(variable checkpoint model arg_STATE_DICT arg_FAIL_ON arg_VERIFY)
    _ckptlint_bracket(quoted "${${variable}}")
    string(TOUPPER "${variable}" upper)
    string(REGEX REPLACE "^ARG_" "" upper "${upper}")
    string(APPEND content "set(CKPTLINT_${upper} ${quoted})\n")
  endforeach()
  string(APPEND content "set(CKPTLINT_EXTRA_ARGS")
  foreach(extra IN LISTS arg_ARGS)
    _ckptlint_bracket(quoted "${extra}")
    string(APPEND content " ${quoted}")
  endforeach()
  string(APPEND content ")\n")
  file(WRITE "${settings}.new" "${content}")
  configure_file("${settings}.new" "${settings}" COPYONLY)

  get_property(driver GLOBAL PROPERTY CKPTLINT_CHECK_DRIVER)
  get_property(inputs_probe GLOBAL PROPERTY CKPTLINT_CHECK_INPUTS)
  # Every build: the size and mtime of what the check reads (checkpoint, model, the config file
  # ckptlint finds, the executable), rewritten only when they change. Depending on it reruns the
  # check when a file is replaced by an older one or a .ckptlint.cfg is edited or created, which
  # an mtime comparison of DEPENDS alone misses.
  set(fingerprint "${work_dir}/${name}.inputs")
  add_custom_target(${name}_inputs
    COMMAND "${CMAKE_COMMAND}" "-DCKPTLINT_EXECUTABLE=$<TARGET_FILE:ckptlint::ckptlint>"
            "-DCKPTLINT_SETTINGS=${settings}" "-DCKPTLINT_WORKING_DIR=${CMAKE_CURRENT_SOURCE_DIR}"
            "-DCKPTLINT_FINGERPRINT=${fingerprint}" -P "${inputs_probe}"
    BYPRODUCTS "${fingerprint}"
    COMMENT "ckptlint: looking for changed inputs of ${name}"
    VERBATIM)
  get_filename_component(checkpoint_name "${checkpoint}" NAME)
  if(model)
    get_filename_component(model_name "${model}" NAME)
    set(comment "ckptlint: checking ${checkpoint_name} against ${model_name}")
  else()
    set(comment "ckptlint: checking ${checkpoint_name}")
  endif()
  add_custom_command(
    OUTPUT "${stamp}"
    COMMAND "${CMAKE_COMMAND}" "-DCKPTLINT_EXECUTABLE=$<TARGET_FILE:ckptlint::ckptlint>"
            "-DCKPTLINT_SETTINGS=${settings}" "-DCKPTLINT_STAMP=${stamp}" -P "${driver}"
    DEPENDS ${inputs} "$<TARGET_FILE:ckptlint::ckptlint>" "${settings}" "${driver}" "${fingerprint}"
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
    COMMENT "${comment}"
    VERBATIM)
  add_custom_target(${name} DEPENDS "${stamp}")
  add_dependencies(${name} ${name}_inputs)
  add_dependencies(${arg_TARGET} ${name})
endfunction()
