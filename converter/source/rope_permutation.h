// The q/k row permutation between llama2.c / GGUF / Meta checkpoints and
// Hugging Face Llama checkpoints.
//
// Meta's Llama (and llama2.c, and GGUF) rotate INTERLEAVED pairs of each
// head's dims: (0,1), (2,3), ... HF's modeling_llama rotates HALVES: (i,
// i + head_dim/2). HF's convert_llama_weights_to_hf.py therefore permutes
// the rows of q_proj / k_proj so the same weights give the same model:
//   permute(w, n_heads, rows, cols) =
//       w.view(n_heads, rows // n_heads // 2, 2, cols)
//        .transpose(1, 2).reshape(rows, cols)
// i.e. within each head, output row j*half + i = input row 2*i + j
// (half = head_dim/2, j in {0,1}). Use n_heads for q and n_kv_heads for k.
// unpermute_rotary_rows() is the inverse (HF -> interleaved).
//
// Example (one head, head_dim 4, rows r0..r3):
//   permute   : [r0, r1, r2, r3] -> [r0, r2, r1, r3]
//   unpermute : [r0, r2, r1, r3] -> [r0, r1, r2, r3]
//   std::vector<float> hf_q = permute_rotary_rows(meta_q.data(), dim, dim, n_heads);
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "converter/source/convert_error.h"

namespace edgeattn::convert {

// Interleaved (Meta / llama2.c / GGUF) -> HF half-split row order. `w` is
// row-major [rows, cols]; rows must be n_heads * head_dim with head_dim
// even, else ConvertError.
std::vector<float> permute_rotary_rows(const float* w, int64_t rows, int64_t cols, int64_t n_heads);

// HF half-split -> interleaved row order; the inverse of the above.
std::vector<float> unpermute_rotary_rows(const float* w, int64_t rows, int64_t cols,
                                         int64_t n_heads);

// Byte-level versions for any element type: each row is `row_bytes` long.
// `dst` must not overlap `src` and must hold rows * row_bytes bytes.
void permute_rotary_rows_bytes(const uint8_t* src, uint8_t* dst, int64_t rows, size_t row_bytes,
                               int64_t n_heads);
void unpermute_rotary_rows_bytes(const uint8_t* src, uint8_t* dst, int64_t rows, size_t row_bytes,
                                 int64_t n_heads);

}  // namespace edgeattn::convert
