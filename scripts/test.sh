#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing, fetches
# the real models, builds, runs every test, then rebuilds the untrusted-input
# and kernel tests with ASan+UBSan and runs them again.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

scripts/install-deps.sh
# A model that cannot be fetched makes its tests skip loudly (ctest "Skipped").
scripts/fetch-models.sh || echo "WARNING: fetch-models failed; MiniLM tests will be skipped"

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

sanitized="runtime_bad_model_test|converter_source_test|tokenizer_test|kernels_test"
cmake -S . -B build-asan -DEDGEATTN_SANITIZE=ON -DEDGEATTN_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build-asan -j"$jobs" --target ${sanitized//|/ }
ctest --test-dir build-asan --output-on-failure -j"$jobs" -R "^(${sanitized})\$"
