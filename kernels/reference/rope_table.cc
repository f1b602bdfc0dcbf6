// fill_rope_table: the (cos, sin) table that every f32_rope kernel reads.
//
// Computed with llama2.c's float expression (freq = 1 / powf(theta, 2i / d),
// angle = (float)pos * freq, cosf/sinf), because the runtime must reproduce
// llama2.c's output bit for bit; a double angle rounded to float would differ
// in the last bit for some (pos, i) and the logits would drift. powf, cosf
// and sinf themselves are the portable ones (portable_math.h) evaluated in
// double and rounded once: the correctly rounded float, and the same bits on
// every architecture. glibc's sinf/cosf are one ulp off that on ~1 % of
// inputs, so a few entries differ from llama2.c's by one ulp (rope_test
// bounds how many; the generated text is the same).
#include "kernels/kernels.h"
#include "kernels/reference/portable_math.h"

namespace edgeattn {

void fill_rope_table(size_t max_pos, size_t rotary_dim, float theta, float* cos_sin) {
  const size_t half = rotary_dim / 2;
  for (size_t pos = 0; pos < max_pos; ++pos) {
    float* row = cos_sin + pos * rotary_dim;
    for (size_t i = 0; i < half; ++i) {
      const float freq =
          1.0f / static_cast<float>(portable_pow(theta, static_cast<float>(2 * i) / static_cast<float>(rotary_dim)));
      const float angle = static_cast<float>(pos) * freq;
      row[2 * i] = static_cast<float>(portable_cos(angle));
      row[2 * i + 1] = static_cast<float>(portable_sin(angle));
    }
  }
}

}  // namespace edgeattn
