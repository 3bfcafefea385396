#!/usr/bin/env bash
# The README's test command: install, build, run the whole suite with CTest, then a short run of
# each fuzz harness (its own clang + ASan/UBSan build in build-fuzz; CKPTLINT_FUZZ_SECONDS each).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
ctest --test-dir build --output-on-failure -j "${CKPTLINT_JOBS:-2}"
bash ci/fuzz.sh "${CKPTLINT_FUZZ_SECONDS:-5}"
