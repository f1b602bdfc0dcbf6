#!/usr/bin/env bash
# Writes the committed speech clips tests/fixtures/whisper/clips/*.wav and
# clips.json: short English sentences spoken by espeak-ng, converted by sox.
#
#   apt-get install -y espeak-ng sox      # not build dependencies: only this script needs them
#   scripts/make_speech_clips.sh          # from the repository root
#
# Generated once and committed (sox dithers the 16-bit output, so a rerun
# never gives the same bits; clips 01-06 and 07-20 were made in two runs):
# espeak-ng's voices change between versions
# (these are espeak-ng 1.51 and SoX 14.4.2, Debian 12), and the clips feed
# tests that compare token ids with CTranslate2 on exactly these files, so
# regenerating them means regenerating every fixture made from them
# (tests/reference/whisper_mel.py) and re-checking the transcripts.
#
# Main clips: 16 kHz mono PCM16 (what the Whisper tests transcribe), from
# espeak-ng's 22.05 kHz output resampled by sox (its default "high" quality).
# Format variants (frontend tests): the first second of two main clips,
# converted by sox from the 16 kHz file without dither (-D), so a decoder +
# resampler can be checked against the 16 kHz original:
#   8 kHz unsigned 8-bit mono, 22.05 kHz 24-bit stereo, 44.1 kHz float32
#   stereo, 48 kHz signed 32-bit mono. (sox writes WAVE_FORMAT_EXTENSIBLE
#   headers for the 24-bit, 32-bit and float files.)
# Sizes: the folder stays under ~3 MB (20 clips of 2-4 s: the word error
# rate of int8 vs fp32 needs a few hundred words to resolve 2 %).
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/whisper/clips
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# name | voice | words per minute | text
clips=(
  "clip01_en_us|en-us|160|The quick brown fox jumps over the lazy dog."
  "clip02_en_gb|en-gb|150|Please call Stella and ask her to bring these things."
  "clip03_en_us_f3|en-us+f3|175|It is a good day to test speech recognition."
  "clip04_scotland|en-gb-scotland|140|The train to the city leaves at seven."
  "clip05_en_us_m3|en-us+m3|190|We need more paper for the printer in the office."
  "clip06_en_rp_f2|en-gb-x-rp+f2|155|Open the window, it is warm in here."
  "clip07_en_us|en-us|140|My sister bought a small house near the river last year."
  "clip08_en_gb_m2|en-gb+m2|165|The meeting starts at nine and ends before lunch."
  "clip09_en_us_f2|en-us+f2|150|Could you tell me the way to the train station?"
  "clip10_en_029|en-029|145|The children played football in the park all afternoon."
  "clip11_en_us_m1|en-us+m1|170|Please turn off the lights when you leave the room."
  "clip12_en_gb_f4|en-gb+f4|135|The weather will be cold and windy tomorrow morning."
  "clip13_en_us|en-us|185|I forgot my keys at home, so I had to wait outside."
  "clip14_lancaster|en-gb-x-gbclan|150|The library closes early on Sundays and holidays."
  "clip15_en_us_m4|en-us+m4|160|We planted tomatoes and beans in the garden this spring."
  "clip16_en_gb_f1|en-gb+f1|155|He reads the newspaper every morning with a cup of tea."
  "clip17_en_us_f4|en-us+f4|145|The doctor said that I should drink more water."
  "clip18_en_rp_m3|en-gb-x-rp+m3|150|Our flight was delayed because of the heavy snow."
  "clip19_en_us_m2|en-us+m2|175|She writes computer programs for a large company."
  "clip20_en_gb|en-gb|160|Thank you very much for your help with the project."
)
json="$out/clips.json"
{
  echo "{"
  echo "  \"generator\": \"scripts/make_speech_clips.sh (espeak-ng $(espeak-ng --version | awk '{print $4}'), $(sox --version | awk '{print $2 " " $3}'))\","
  echo "  \"clips\": ["
} > "$json"
first=1
for entry in "${clips[@]}"; do
  IFS='|' read -r name voice wpm text <<< "$entry"
  espeak-ng -v "$voice" -s "$wpm" -w "$tmp/$name.wav" "$text"
  sox "$tmp/$name.wav" -r 16000 -b 16 -e signed-integer -c 1 "$out/$name.wav"
  seconds=$(soxi -D "$out/$name.wav")
  [ "$first" = 1 ] || echo "    ," >> "$json"
  first=0
  printf '    {"file": "%s.wav", "text": "%s", "voice": "%s", "words_per_minute": %s, "format": "pcm_s16", "rate": 16000, "channels": 1, "seconds": %s}\n' \
    "$name" "$text" "$voice" "$wpm" "$seconds" >> "$json"
done
# Format variants: name | source clip | sox output options
variants=(
  "clip01_8k_u8|clip01_en_us|-r 8000 -b 8 -e unsigned-integer -c 1|pcm_u8|8000|1"
  "clip01_22k_s24_stereo|clip01_en_us|-r 22050 -b 24 -e signed-integer -c 2|pcm_s24|22050|2"
  "clip02_44k_f32_stereo|clip02_en_gb|-r 44100 -b 32 -e floating-point -c 2|float32|44100|2"
  "clip02_48k_s32|clip02_en_gb|-r 48000 -b 32 -e signed-integer -c 1|pcm_s32|48000|1"
)
for entry in "${variants[@]}"; do
  IFS='|' read -r name src opts format rate channels <<< "$entry"
  # shellcheck disable=SC2086
  sox -D "$out/$src.wav" $opts "$out/$name.wav" trim 0 1.0
  echo "    ," >> "$json"
  printf '    {"file": "%s.wav", "variant_of": "%s.wav", "first_seconds": 1.0, "format": "%s", "rate": %s, "channels": %s}\n' \
    "$name" "$src" "$format" "$rate" "$channels" >> "$json"
done
{
  echo "  ]"
  echo "}"
} >> "$json"
du -sh "$out"
