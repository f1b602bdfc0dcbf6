#!/usr/bin/env bash
# Writes the model loader's generated seeds into FUZZ_BUILD/fuzz/seeds/model_load_fuzzer/
# from a normal build (with tests) NORMAL_BUILD:
#   - the tiny models of tests/runtime/tiny_model.h (NORMAL_BUILD/tests/runtime_bad_model_test)
#   - stories260K converted to int8 (NORMAL_BUILD/bin/edgeattn-convert)
#
#   fuzz/make_model_seeds.sh FUZZ_BUILD NORMAL_BUILD      e.g. build-fuzz build
#
# stories260K is found like the tests find it (tests/support/model_paths.h):
# $EDGEATTN_MODELS, ../shared/models, ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models.
# When it is missing: with CI=true or EDGEATTN_REQUIRE_MODELS=1 this
# FAILS (exit 1) and lists where it looked; otherwise it warns loudly and
# writes only the tiny models.
# One { } block: bash reads the whole file before running any of it, so the
# file can be edited while a long run is under way.
{
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: fuzz/make_model_seeds.sh FUZZ_BUILD NORMAL_BUILD"
fuzz_build="${1:?$usage}"
normal_build="${2:?$usage}"
seeds="$fuzz_build/fuzz/seeds/model_load_fuzzer"
bad_model_test="$normal_build/tests/runtime_bad_model_test"
convert="$normal_build/bin/edgeattn-convert"
for f in "$bad_model_test" "$convert"; do
  [ -x "$f" ] || { echo "make_model_seeds: $f not built (cmake --build $normal_build --target runtime_bad_model_test edgeattn-convert)" >&2; exit 1; }
done
# Models required: CI=true (any value but "", "0", "false") or
# EDGEATTN_REQUIRE_MODELS=1, as scripts/models-required.sh says.
require=0
scripts/models-required.sh && require=1

mkdir -p "$seeds"
EDGEATTN_WRITE_FUZZ_SEEDS="$seeds" "$bad_model_test" -tc='*fuzz seeds*' >/dev/null

candidates=()
[ -n "${EDGEATTN_MODELS:-}" ] && candidates+=("$EDGEATTN_MODELS/stories260K")
candidates+=("$PWD/../shared/models/stories260K")
candidates+=("${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models/stories260K")
stories=""
for c in "${candidates[@]}"; do
  if [ -f "$c/stories260K.bin" ] && [ -f "$c/tok512.bin" ]; then stories="$c"; break; fi
done
if [ -z "$stories" ]; then
  {
    if [ "$require" = 1 ]; then
      echo "make_model_seeds: FAILED: stories260K (stories260K.bin + tok512.bin) not found, and models are required"
      echo "  (CI=${CI:-} EDGEATTN_REQUIRE_MODELS=${EDGEATTN_REQUIRE_MODELS:-}). Searched:"
    else
      echo "make_model_seeds: WARNING: stories260K not found: model_load_fuzzer gets only the tiny-model seeds. Searched:"
    fi
    for c in "${candidates[@]}"; do echo "    $c"; done
    echo "  Set EDGEATTN_MODELS or provide ../shared/models (scripts/fetch-models.sh verifies it)."
  } >&2
  [ "$require" = 1 ] && exit 1
  rm -f "$seeds/stories260K_int8.eatn"
else
  "$convert" "$stories/stories260K.bin" --tokenizer "$stories/tok512.bin" --dtype int8 --quiet \
    -o "$seeds/stories260K_int8.eatn"
fi
echo "make_model_seeds: $(find "$seeds" -maxdepth 1 -type f | wc -l) seeds in $seeds" \
     "(stories260K: ${stories:-MISSING})"
exit
}
