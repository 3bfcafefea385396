#!/usr/bin/env bash
# Makes a DataParallel DeepLabCut-style snapshot with Debian's PyTorch and inspects it.
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot=$(/usr/bin/python3 examples/make_dlc_snapshot.py build/examples)
./build/ckptlint inspect --state-dict model "$snapshot" | head -n 40
echo "..."
echo "(full listing: ./build/ckptlint inspect $snapshot; machine-readable: --format json)"
