# Sourced by the bench/*_compare.sh scripts: which python runs a peer.
#
#   source "$root/bench/peer_python.sh"
#   python="$(peer_python numpy onnxruntime)" || exit 1
#
# peer_python MODULE... prints the first of these that imports every MODULE:
# $EDGEATTN_PYTHON when it is set (then only it), else
# $EDGEATTN_CACHE/bench-venv/bin/python (bench/run_all.sh makes that venv),
# else python3. When none does, one line on stderr names the modules and
# the way to provide them, and it returns 1.
peer_python() {
  local cache="${EDGEATTN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn}" p
  local candidates=("$cache/bench-venv/bin/python" python3)
  if [ -n "${EDGEATTN_PYTHON:-}" ]; then candidates=("$EDGEATTN_PYTHON"); fi
  local check="pass"
  if [ "$#" -gt 0 ]; then check="import $(IFS=,; echo "$*")"; fi
  for p in "${candidates[@]}"; do
    if command -v "$p" > /dev/null 2>&1 && "$p" -c "$check" 2> /dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "$(basename "$0"): no python among ${candidates[*]} imports ${*:-anything}; install them into a venv" \
       "and set EDGEATTN_PYTHON (bench/run_all.sh makes $cache/bench-venv)" >&2
  return 1
}
