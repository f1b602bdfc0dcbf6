#!/bin/sh
# Front-ends use the runtime's public headers only (issue #13): no file in
# demo/, capi/, tools/ or bench/ (besides the kernel microbenchmarks in
# bench/kernels/ and bench/machine_limits.cc, which measure kernels and
# XNNPACK themselves) may include a flatc-generated header, anything under
# schema/ or kernels/, or the runtime's internal headers.
#
# usage: check_front_ends.sh SOURCE_DIR    exit 0 clean, 1 with the offending lines
set -eu
root=${1:?usage: check_front_ends.sh SOURCE_DIR}
cd "$root"
internal='runtime/(model_internal|model_verifier|memory_planner|xnnpack_context|session_with_kernels|session_plan|session_layout)\.h|runtime/ops/'
hits=$(find demo capi tools bench -type f \( -name '*.cc' -o -name '*.h' -o -name '*.c' \) \
         ! -path 'bench/kernels/*' ! -name machine_limits.cc ! -name xnn_gemm.h -print0 |
       xargs -0 grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<](schema/|kernels/|[^\">]*_generated\.h|$internal)" || true)
if [ -n "$hits" ]; then
  echo "check_front_ends: front-ends must include public runtime headers only:" >&2
  echo "$hits" >&2
  exit 1
fi
echo "check_front_ends: demo/ capi/ tools/ bench/ include no generated, kernel or internal runtime header"
