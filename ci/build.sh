#!/usr/bin/env bash
# Configures and builds ckptlint and its tests into ./build (Ninja, two jobs for this machine).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build -j "${CKPTLINT_JOBS:-2}"
