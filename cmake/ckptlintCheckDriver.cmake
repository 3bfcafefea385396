# The build step behind ckptlint_check() (cmake -P): `ckptlint check`, then `ckptlint verify` when
# the model is a TorchScript archive, then the stamp. ckptlint's own output (findings in text
# format) goes straight to the build log; a failure stops the build with one line saying why.
#   -DCKPTLINT_EXECUTABLE=... -DCKPTLINT_SETTINGS=<file written by ckptlint_check> -DCKPTLINT_STAMP=...
include("${CKPTLINT_SETTINGS}")
file(REMOVE "${CKPTLINT_STAMP}")  # a failed run must not leave an old success behind

set(model_args "")
if(CKPTLINT_MODEL)
  set(model_args --model "${CKPTLINT_MODEL}")
endif()
set(state_dict_args "")
if(CKPTLINT_STATE_DICT)
  set(state_dict_args --state-dict "${CKPTLINT_STATE_DICT}")
endif()

execute_process(
  COMMAND "${CKPTLINT_EXECUTABLE}" check "${CKPTLINT_CHECKPOINT}" ${model_args} ${state_dict_args}
          --fail-on "${CKPTLINT_FAIL_ON}" --format text ${CKPTLINT_EXTRA_ARGS}
  RESULT_VARIABLE check_status)
if(check_status STREQUAL "1")
  message(FATAL_ERROR "ckptlint: ${CKPTLINT_CHECKPOINT} has findings at level ${CKPTLINT_FAIL_ON} or above (listed above)")
elseif(NOT check_status STREQUAL "0")
  message(FATAL_ERROR "ckptlint: check of ${CKPTLINT_CHECKPOINT} could not run (exit ${check_status}; see above)")
endif()

# AUTO: verify only a TorchScript model; inspect reads the archive statically (no LibTorch), and
# a model it cannot read as a checkpoint (a JSON spec) is not one.
set(verify OFF)
if(CKPTLINT_VERIFY STREQUAL "ON")
  set(verify ON)
elseif(CKPTLINT_VERIFY STREQUAL "AUTO" AND CKPTLINT_MODEL)
  execute_process(
    COMMAND "${CKPTLINT_EXECUTABLE}" inspect "${CKPTLINT_MODEL}" --format json
    RESULT_VARIABLE inspect_status OUTPUT_VARIABLE inspect_json ERROR_QUIET)
  # The top-level "format" key (indented by two spaces; nested keys are deeper), matched as text:
  # string(JSON) needs CMake 3.19, and the package supports 3.18.
  if(inspect_status STREQUAL "0" AND inspect_json MATCHES "\n  \"format\": \"torchscript\"")
    set(verify ON)
  endif()
endif()

if(verify)
  message(STATUS "ckptlint: verify: loading ${CKPTLINT_CHECKPOINT} into ${CKPTLINT_MODEL} through LibTorch")
  execute_process(
    COMMAND "${CKPTLINT_EXECUTABLE}" verify "${CKPTLINT_CHECKPOINT}" --model "${CKPTLINT_MODEL}" ${state_dict_args}
    RESULT_VARIABLE verify_status)
  if(verify_status STREQUAL "1")
    message(FATAL_ERROR "ckptlint: the weights of ${CKPTLINT_CHECKPOINT} do not load into ${CKPTLINT_MODEL} (see above)")
  elseif(NOT verify_status STREQUAL "0")
    message(FATAL_ERROR "ckptlint: verify of ${CKPTLINT_CHECKPOINT} could not run (exit ${verify_status}; see above)")
  endif()
endif()

file(WRITE "${CKPTLINT_STAMP}" "${CKPTLINT_CHECKPOINT}\n")
