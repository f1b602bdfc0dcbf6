#!/usr/bin/env bash
# ctest, then what ctest does not show: why each skipped test skipped, and
# the "edgeattn-note:" lines tests print about what they could not cover here
# (e.g. a kernel table this CPU cannot run). Exit status is ctest's.
#
#   scripts/ctest.sh BUILD_DIR [ctest arguments...]
#
# ctest --output-on-failure prints a test's output only when it fails, so a
# skipped test's "model not found, searched: ..." message would stay in
# BUILD_DIR/Testing/Temporary/LastTest.log. A skip must be visible.
set -uo pipefail
dir="${1:?usage: scripts/ctest.sh BUILD_DIR [ctest arguments...]}"
shift
summary="$(mktemp)"
trap 'rm -f "$summary"' EXIT
ctest --test-dir "$dir" --output-on-failure "$@" | tee "$summary"
rc=${PIPESTATUS[0]}
log="$dir/Testing/Temporary/LastTest.log"
[ -f "$log" ] || exit "$rc"
# Which tests skipped: ctest's own list ("  12 - name (Skipped)"); the log
# writes "Test Passed." for them. LastTest.log holds one block per test:
# "N/M Test: NAME", "Output:", a rule, the output, "<end of output>".
skipped=" $(sed -n 's/^[[:space:]]*[0-9]* - \([^ ]*\) (Skipped)$/\1/p' "$summary" | tr '\n' ' ')"
awk -v skipped="$skipped" '
  /^[0-9]+\/[0-9]+ Test: / { name = $3; out = ""; inside = 0; next }
  /^Output:$/ { inside = 1; getline; next }        # the rule after "Output:"
  /^<end of output>$/ {
    inside = 0
    if (index(skipped, " " name " ")) why = why "--- " name " (skipped):\n" out
    next
  }
  inside { out = out "    " $0 "\n"; if ($0 ~ /edgeattn-note:/) notes = notes "  " name ": " $0 "\n"; next }
  END {
    if (why != "") printf "\n== scripts/ctest.sh: why tests were skipped\n%s", why
    if (notes != "") printf "\n== scripts/ctest.sh: not covered on this machine\n%s", notes
  }' "$log"
exit "$rc"
