#!/usr/bin/env bash
# Installs everything ckptlint needs to build and test on Debian bookworm (run as root).
set -euo pipefail
packages=(
  cmake ninja-build g++ ccache
  libboost-program-options-dev nlohmann-json3-dev libgtest-dev zlib1g-dev
  libtorch-dev                                           # the TorchScript plugin (optional)
  python3-torch python3-torchvision python3-jsonschema   # test fixtures only
  python3-yaml dpkg-dev groff-base man-db                # tests of the CI examples, .deb, man page
  clang libclang-rt-14-dev                               # fuzzing (ci/fuzz.sh)
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "ci/setup.sh: all packages present"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
