#!/usr/bin/env bash
# The README's test command: install, build, run the whole suite with CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/setup.sh
bash ci/build.sh
ctest --test-dir build --output-on-failure -j "${CKPTLINT_JOBS:-2}"
