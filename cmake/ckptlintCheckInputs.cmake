# Runs on every build before ckptlint_check()'s step (cmake -P): writes the size and mtime of
# everything the check reads (checkpoint, model, the config file ckptlint will read, the
# executable) to CKPTLINT_FINGERPRINT, touching it only when that changed. The step depends on the
# fingerprint, so it reruns when a checkpoint is replaced by an *older* file (mv, cp -p, tar, rsync:
# an mtime comparison alone misses that), and when a .ckptlint.cfg is edited or created.
#   -DCKPTLINT_SETTINGS=<file written by ckptlint_check> -DCKPTLINT_EXECUTABLE=...
#   -DCKPTLINT_WORKING_DIR=<where ckptlint runs> -DCKPTLINT_FINGERPRINT=<file>
cmake_minimum_required(VERSION 3.18)  # policies of this file, whatever the calling project asks
include("${CKPTLINT_SETTINGS}")

# The config file ckptlint will read, as it finds it (linter/cli/config_file.cpp): --config FILE
# (relative to where it runs), none with --isolated, else the nearest .ckptlint.cfg from the
# working folder (physical path, as getcwd gives it) upwards.
set(config "")
set(take_next FALSE)
set(isolated FALSE)
foreach(word IN LISTS CKPTLINT_EXTRA_ARGS)
  if(take_next)
    set(config "${word}")
    set(take_next FALSE)
  elseif(word STREQUAL "--config")
    set(take_next TRUE)
  elseif(word MATCHES "^--config=(.*)$")
    set(config "${CMAKE_MATCH_1}")
  elseif(word STREQUAL "--isolated")
    set(isolated TRUE)
  endif()
endforeach()
if(config)
  get_filename_component(config "${config}" ABSOLUTE BASE_DIR "${CKPTLINT_WORKING_DIR}")
elseif(NOT isolated)
  get_filename_component(folder "${CKPTLINT_WORKING_DIR}" REALPATH)
  while(TRUE)
    if(EXISTS "${folder}/.ckptlint.cfg")
      set(config "${folder}/.ckptlint.cfg")
      break()
    endif()
    get_filename_component(parent "${folder}" DIRECTORY)
    if(parent STREQUAL folder OR parent STREQUAL "")
      break()
    endif()
    set(folder "${parent}")
  endwhile()
endif()

set(fingerprint "")
foreach(file IN ITEMS "${CKPTLINT_CHECKPOINT}" "${CKPTLINT_MODEL}" "${config}" "${CKPTLINT_EXECUTABLE}")
  if(file STREQUAL "")
    continue()
  endif()
  if(IS_DIRECTORY "${file}")
    string(APPEND fingerprint "${file}\tfolder\n")
  elseif(EXISTS "${file}")
    file(SIZE "${file}" size)
    file(TIMESTAMP "${file}" mtime "%Y-%m-%dT%H:%M:%S" UTC)
    string(APPEND fingerprint "${file}\t${size}\t${mtime}\n")
  else()
    string(APPEND fingerprint "${file}\tabsent\n")
  endif()
endforeach()

set(previous "")
if(EXISTS "${CKPTLINT_FINGERPRINT}")
  file(READ "${CKPTLINT_FINGERPRINT}" previous)
endif()
if(NOT previous STREQUAL fingerprint)
  file(WRITE "${CKPTLINT_FINGERPRINT}" "${fingerprint}")
endif()
