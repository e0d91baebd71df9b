#!/usr/bin/env bash
# Installs setol's build dependencies from Debian's packages and builds it in ./build.
# Extra CMake arguments can be passed in SETOL_CMAKE_ARGS (CI adds -DSETOL_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config \
  libeigen3-dev libspectra-dev libcli11-dev nlohmann-json3-dev \
  libgtest-dev libgmock-dev libbenchmark-dev libhdf5-dev libopenblas-dev libgsl-dev libboost-dev libminizip-dev libonnx-dev libprotobuf-dev \
  libcairo2-dev libpng-dev fonts-dejavu-core \
  python3 python3-jsonschema >/dev/null
# shellcheck disable=SC2086
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release ${SETOL_CMAKE_ARGS:-} >/dev/null
cmake --build build -j"$(nproc)"
