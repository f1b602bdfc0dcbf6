// edgeattn kernels: the ops XNNPACK does not offer, as plain function tables.
//
// Every op has a reference kernel (kernels/reference/, plain loops, the test
// oracle, never optimized) and optional ISA versions (kernels/x86/ AVX2+FMA+F16C,
// kernels/arm/ NEON). A KernelTable holds one function pointer per op; the
// runtime picks a table once at prepare (by name, or select_kernels() for the
// detected CPU features) and calls through it in invoke(). Kernels never allocate, never fail and never
// check shapes: prepare() validated them.
//
// Naming follows XNNPACK: <dtype>_<op>_ukernel[_<MxN>]__<isa>, e.g.
// f32_rmsnorm_ukernel__avx2. The table is what callers use.
//
// Example:
//   const KernelTable& k = select_kernels(detect_cpu_features());
//   k.f32_rmsnorm(rows, cols, x, cols, gamma, 1e-5f, y, cols);
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeattn {

// Largest head_dim the attention kernels accept; prepare() rejects larger.
// The kernels keep one query's accumulator on the stack.
constexpr size_t kMaxHeadDim = 512;

enum class RopeStyle : uint8_t {
  kInterleaved = 0,  // pairs (x[2i], x[2i+1]): llama2.c, GGUF, Meta's checkpoints
  kHalf = 1,         // pairs (x[i], x[i + rotary_dim/2]): HF "rotate_half", GPT-NeoX
};

// One attention head over a block of queries, streaming over keys with a
// running max and sum (online softmax), so no [n_queries, n_keys] matrix is
// ever stored.
//
// Query t (0-based) attends keys [0, n_keys + t * causal_step):
//   causal_step = 0: every query sees n_keys keys (encoder with a padding mask:
//                    n_keys = the row's valid length; cross-attention);
//   causal_step = 1: causal decoder; n_keys = past_len + 1 for the first query.
// The caller guarantees n_keys + (n_queries - 1) * causal_step <= rows of k/v
// and n_keys >= 1.
struct AttentionArgs {
  const float* q;       // [n_queries, head_dim], rows q_stride floats apart
  size_t q_stride;
  const float* k;       // [keys, head_dim], rows k_stride floats apart
  size_t k_stride;
  const float* v;       // [keys, head_dim], rows v_stride floats apart
  size_t v_stride;
  float* out;           // [n_queries, head_dim], rows out_stride floats apart
  size_t out_stride;
  size_t n_queries;
  size_t head_dim;      // <= kMaxHeadDim
  size_t n_keys;
  size_t causal_step;   // 0 or 1
  float scale;          // usually 1/sqrt(head_dim)
};

// Element type of a KV cache read by f32_attention_kv (issue #4). The
// runtime's public KvCacheDType (runtime/session.h) maps onto it in one
// switch (runtime/session.cc), so this header stays out of the public API.
enum class KvDType : uint8_t {
  kF32 = 0,  // float; f32_attention_kv forwards to the same table's f32_attention
  kF16 = 1,  // IEEE binary16 bits (uint16_t), converted exactly to float
  kI8 = 2,   // int8 in [-127, 127] with one float scale per row (key position):
             // value = float(q) * scale, rows written by f32_quantize_row_q8
};

// AttentionArgs with the keys and values read from a cache stored as
// `kv_dtype`. Same query/output/causal semantics as f32_attention (streaming
// softmax with a running max and sum, fp32 scores, softmax and accumulation);
// only the loads of k and v differ:
//   kF32: k/v are const float*; strides in floats (k_scales/v_scales unused).
//   kF16: k/v are const uint16_t* (half bits); strides in halves.
//   kI8:  k/v are const int8_t*; strides in bytes; row j (key j, relative to
//         k / v) dequantizes as float(k[j * k_stride + i]) * k_scales[j]
//         (v likewise with v_scales[j]). Scale 0 is an all-zero row.
// A row is one (position, kv head) vector of head_dim values. Kernels read
// exactly head_dim elements of each row (never past), so a row may end at the
// end of an allocation. Caller guarantees as for AttentionArgs:
// n_keys >= 1, n_keys + (n_queries - 1) * causal_step <= rows of k/v (and
// entries of k_scales/v_scales), head_dim <= kMaxHeadDim.
struct AttentionKvArgs {
  const float* q;          // [n_queries, head_dim], rows q_stride floats apart
  size_t q_stride;
  const void* k;           // [keys, head_dim] of kv_dtype, rows k_stride elements apart
  size_t k_stride;
  const void* v;           // [keys, head_dim] of kv_dtype, rows v_stride elements apart
  size_t v_stride;
  const float* k_scales;   // kI8: [keys], one per k row; else unused (may be null)
  const float* v_scales;   // kI8: [keys], one per v row; else unused (may be null)
  float* out;              // [n_queries, head_dim], rows out_stride floats apart
  size_t out_stride;
  size_t n_queries;
  size_t head_dim;         // <= kMaxHeadDim
  size_t n_keys;
  size_t causal_step;      // 0 or 1
  float scale;             // usually 1/sqrt(head_dim)
  KvDType kv_dtype;
};

// The AttentionArgs of a kF32 AttentionKvArgs (what every table's
// f32_attention_kv does for kF32: forward to its own f32_attention).
inline AttentionArgs to_f32_attention_args(const AttentionKvArgs& a) {
  AttentionArgs r{};
  r.q = a.q;
  r.q_stride = a.q_stride;
  r.k = static_cast<const float*>(a.k);
  r.k_stride = a.k_stride;
  r.v = static_cast<const float*>(a.v);
  r.v_stride = a.v_stride;
  r.out = a.out;
  r.out_stride = a.out_stride;
  r.n_queries = a.n_queries;
  r.head_dim = a.head_dim;
  r.n_keys = a.n_keys;
  r.causal_step = a.causal_step;
  r.scale = a.scale;
  return r;
}

// ---- Images (format 1.5) ----------------------------------------------------

// The activations of the image ops' fused epilogue (schema Activation plus
// the options' affine transforms): see KernelTable::f32_activation.
enum class ActKind : uint8_t {
  kNone = 0,
  kRelu = 1,         // max(v, 0)
  kRelu6 = 2,        // min(max(v, 0), 6)
  kSigmoid = 3,      // 1 / (1 + exp(-v))
  kHardSigmoid = 4,  // min(max(alpha v + beta, 0), 1)
  kHardSwish = 5,    // v * min(max(v + 3, 0), 6) / 6
  kSilu = 6,         // v * sigmoid(v)
  kGelu = 7,         // v / 2 (1 + erf(v / sqrt 2))
};

struct ActivationParams {
  ActKind kind = ActKind::kNone;
  float alpha = 0.2f;  // kHardSigmoid only
  float beta = 0.5f;
  float pre_scale = 1.0f;
  float pre_shift = 0.0f;
  float post_scale = 1.0f;
  float post_shift = 0.0f;
};

// Depthwise 2-D convolution of one NHWC image, one filter per channel
// (Cout == Cin == channels; the runtime expands a depthwise multiplier into
// the input first):
//   y[oh, ow, c] = bias[c] + sum_{kh, kw} x[oh s_h - pad_top + kh d_h, ow s_w - pad_left + kw d_w, c] * w[kh, kw, c]
// taps outside the image are zero. Only output rows [row_begin, row_end)
// are written (threads split the rows). Pixel strides are in floats (>=
// channels), so x or y may be a channel slice of a wider tensor.
struct DwConvArgs {
  const float* x;      // [in_h, in_w, channels], pixels x_pixel_stride floats apart
  size_t x_pixel_stride;
  const float* w;      // [kh, kw, channels] (packed from the model's [C, KH, KW, 1])
  const float* bias;   // [channels] or nullptr
  float* y;            // [out_h, out_w, channels], pixels y_pixel_stride floats apart
  size_t y_pixel_stride;
  size_t in_h, in_w, channels;
  size_t kh, kw;
  size_t stride_h, stride_w, dilation_h, dilation_w;
  size_t pad_top, pad_left;
  size_t out_h, out_w;
  size_t row_begin, row_end;  // output rows computed by this call
};

// Transposed convolution of one NHWC image (groups 1), the gradient of a
// convolution with the same parameters:
//   y[i s_h - pad_top + kh d_h, j s_w - pad_left + kw d_w, co] += sum_ci x[i, j, ci] w[kh, kw, co, ci]
// then + bias[co]. Every output element is written (zero when nothing lands).
struct ConvTransposeArgs {
  const float* x;     // [in_h, in_w, cin]
  const float* w;     // [kh, kw, cout, cin] (the model's layout)
  const float* bias;  // [cout] or nullptr
  float* y;           // [out_h, out_w, cout]
  size_t in_h, in_w, cin, cout;
  size_t kh, kw;
  size_t stride_h, stride_w, dilation_h, dilation_w;
  size_t pad_top, pad_left;
  size_t out_h, out_w;
};

enum class PoolOp : uint8_t { kMax = 0, kAverage = 1 };

// Max or average pooling of one NHWC image over windows of kh x kw at the
// given stride; window positions outside the image (padding) are ignored by
// Max and, unless count_include_pad, by the Average divisor (with it the
// divisor is kh * kw: windows never leave the padded image, as out_h =
// (in_h + pad_top + pad_bottom - kh) / stride_h + 1). A window with no valid
// position gives 0.
struct Pool2DArgs {
  const float* x;  // [in_h, in_w, channels]
  float* y;        // [out_h, out_w, channels]
  size_t in_h, in_w, channels;
  size_t kh, kw, stride_h, stride_w;
  size_t pad_top, pad_left, pad_bottom, pad_right;
  size_t out_h, out_w;
  PoolOp op;
  bool count_include_pad;
};

enum class ResizeKind : uint8_t { kNearest = 0, kBilinear = 1 };
enum class ResizeCoord : uint8_t { kAsymmetric = 0, kHalfPixel = 1, kAlignCorners = 2 };

// Resize of one NHWC image (ONNX Resize): the source coordinate of output
// index i along an axis (scale out / in) is
//   kAsymmetric:   i * in / out
//   kHalfPixel:    (i + 0.5) * in / out - 0.5   (Bilinear: clamped at 0)
//   kAlignCorners: i * (in - 1) / (out - 1)     (0 when out == 1)
// kNearest takes floor (clamped to [0, in - 1]); kBilinear blends floor and
// floor + 1 (both clamped to the edge) by the fractional part.
struct ResizeArgs {
  const float* x;  // [in_h, in_w, channels]
  float* y;        // [out_h, out_w, channels]
  size_t in_h, in_w, channels, out_h, out_w;
  ResizeKind kind;
  ResizeCoord coord;
};

// KernelTable::capabilities: what the CPU a table runs on is known to have
// beyond the table's own kernels. Ops choose between paths by these bits
// (e.g. XNNPACK's f16 GEMM needs fp16 arithmetic), never by a table's name,
// so a new table only has to state what it needs.
constexpr uint32_t kKernelCapFp16Arithmetic = 1u << 0;  // fp16 FMA on halves (AArch64 ASIMDHP)
constexpr uint32_t kKernelCapDotProduct = 1u << 1;      // int8 dot product (AArch64 SDOT, ASIMDDP)
constexpr uint32_t kKernelCapVnni = 1u << 2;            // x86 VPDPBUSD (AVX-VNNI or AVX512-VNNI)

struct KernelTable {
  // "reference", "avx2", "avxvnni", "avx512vnni", "neon", "neon_dotprod",
  // "neon_fp16": for SessionOptions::kernels, reports and tests.
  const char* name;
  uint32_t capabilities;  // kKernelCap* bits

  // y[r, :] = (x[r, :] - mean) / sqrt(var + eps) * gamma + beta   (biased variance)
  // x, y: [rows, cols] with row strides; gamma, beta: [cols]. x may equal y.
  void (*f32_layernorm)(size_t rows, size_t cols, const float* x, size_t x_stride,
                        const float* gamma, const float* beta, float eps, float* y,
                        size_t y_stride);

  // y[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * gamma. x may equal y.
  void (*f32_rmsnorm)(size_t rows, size_t cols, const float* x, size_t x_stride,
                      const float* gamma, float eps, float* y, size_t y_stride);

  // y = x * 0.5 * (1 + erf(x / sqrt(2)))   (exact GELU, BERT). n elements, x may equal y.
  void (*f32_gelu)(size_t n, const float* x, float* y);

  // y = silu(gate) * up = gate / (1 + exp(-gate)) * up   (SwiGLU). y may alias gate or up.
  void (*f32_silu_mul)(size_t n, const float* gate, const float* up, float* y);

  // y = a + b, n elements. y may alias a or b.
  void (*f32_add)(size_t n, const float* a, const float* b, float* y);

  // Rotates x in place for n_tokens tokens starting at position pos0.
  // x: [n_tokens, n_heads, head_dim], tokens token_stride floats apart.
  // Only the first rotary_dim (even, <= head_dim) elements of each head rotate.
  // cos_sin: [max_pos, rotary_dim / 2, 2] holding (cos, sin) of pos * freq_i.
  void (*f32_rope)(float* x, size_t n_tokens, size_t token_stride, size_t n_heads,
                   size_t head_dim, size_t rotary_dim, size_t pos0, const float* cos_sin,
                   RopeStyle style);

  // See AttentionArgs.
  void (*f32_attention)(const AttentionArgs& args);

  // y[r, :] = x[r, :] / max(||x[r, :]||_2, eps)
  void (*f32_l2_normalize)(size_t rows, size_t cols, const float* x, float eps, float* y);

  // GPT-2 "gelu_new" (tanh approximation), n elements, x may equal y:
  //   y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  // Appended last so existing aggregate initializers keep their order.
  void (*f32_gelu_tanh)(size_t n, const float* x, float* y);

  // ---- Quantized / half-precision linear layers (issue #4) -------------------
  // y[M, N] = x[M, K] * W^T + bias with W row-major [N, K] exactly as stored in
  // the model file (used in place from the mmap; no packing). Kernels read W
  // rows only within [0, K) elements, so W may end at the end of a mapping.
  // Numerics are in kernels/README.md ("Quantized GEMM").

  // Dynamic per-row symmetric int8 quantization ("qd8") of x [rows, k] (rows
  // x_stride floats apart) into xq [rows, qd8_row_bytes(k)] and scales [rows]:
  //   amax = max |x[r, :]|;  if !(amax >= 2^-100): scale = 0, row all zero;
  //   else scale = amax / 127.0f, q = rne(clamp(x * (127.0f / amax), -127, 127))
  // (float ops, rne = round to nearest even). Bytes [k, qd8_row_bytes(k)) of
  // every xq row are written as 0. x must be finite.
  void (*f32_qd8_quantize)(size_t rows, size_t k, const float* x, size_t x_stride,
                           int8_t* xq, float* scales);

  // y[r, c] = float(acc) * (x_scales[r] * w_scales[c]) (+ bias[c]), float ops in
  // that order, acc = sum_k xq[r, k] * w[c, k] in exact int32.
  // xq: [m, qd8_row_bytes(k)] from f32_qd8_quantize (padding bytes may hold any
  // value); w: [n, k] int8 in [-127, 127], rows k bytes apart; w_scales [n];
  // bias [n] or nullptr; y rows y_stride floats apart. Every table is
  // bit-identical to the reference. Requires k <= kQd8MaxK (int32 accumulator).
  void (*qd8_qc8w_gemm)(size_t m, size_t n, size_t k, const int8_t* xq,
                        const float* x_scales, const int8_t* w, const float* w_scales,
                        const float* bias, float* y, size_t y_stride);

  // y[r, c] = sum_k x[r, k] * half_to_float(w[c, k]) (+ bias[c]) in float.
  // x rows x_stride floats apart; w: IEEE binary16 bits [n, k], rows k
  // elements apart; bias [n] or nullptr. ISA tables reorder the float sum (see
  // README for the tolerance); the reference sums k = 0..K-1 sequentially.
  void (*f32_f16w_gemm)(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                        const uint16_t* w, const float* bias, float* y, size_t y_stride);

  // dst[i] = half_to_float(src[i]), exact (fp16 embedding-row gather).
  // Bit-identical in every table except NaN payloads (NaN stays NaN).
  void (*f16_to_f32_rows)(size_t n, const uint16_t* src, float* dst);

  // ---- Attention over an fp16 / int8 KV cache (issue #4) ---------------------
  // See AttentionKvArgs. Numerics in kernels/README.md ("KV cache attention").
  void (*f32_attention_kv)(const AttentionKvArgs& args);

  // dst[i] = binary16 bits of src[i], IEEE round to nearest even: overflow to
  // +-inf (|x| >= 65520), subnormal halves, +-0 for |x| <= 2^-25, inf kept,
  // NaN -> quiet NaN keeping the top 9 payload bits (sign | 0x7e00 |
  // mantissa >> 13, what F16C and AArch64 FCVTN produce). Bit-identical in
  // every table. Fills an fp16 KV cache row.
  void (*f32_to_f16_row)(size_t n, const float* src, uint16_t* dst);

  // Symmetric int8 quantization of one row (an int8 KV cache row), the same
  // formula as f32_qd8_quantize for one row of k = n (so the two agree bit
  // for bit): amax = max|src|; if !(amax >= kQd8MinAmax) returns 0 and writes
  // n zeros; else returns amax / 127.0f and writes
  // dst[i] = rne(clamp(src[i] * (127.0f / amax), -127, 127)). Writes exactly n
  // bytes (no padding). src must be finite. Bit-identical in every table.
  float (*f32_quantize_row_q8)(size_t n, const float* src, int8_t* dst);

  // ---- Optional: null in the ISA tables ------------------------------------
  // y[r, c] = sum_k x[r, k] * w[c, k] (+ bias[c]) in float, k = 0..K-1
  // sequentially (llama2.c's matmul order); w: f32 [n, k] in the model file.
  // Only the reference table has one; the others leave fp32 layers to
  // XNNPACK. With it, a forward pass on the reference table runs no code but
  // its own, so it gives the same bits on every architecture
  // (targets/README.md "Bit-identity").
  void (*f32_gemm)(size_t m, size_t n, size_t k, const float* x, size_t x_stride,
                   const float* w, const float* bias, float* y, size_t y_stride);

  // ---- Translation models (Marian / Bergamot, format 1.4) -------------------
  // Appended after f32_gemm so existing aggregate initializers keep their
  // order; every table has both (the ISA tables set f32_gemm to nullptr).

  // Marian's SSRU recurrence (simpler simple recurrent unit: no reset gate)
  // for one batch row over `steps` positions; c [width] is the state carried
  // in and out (0 before a sequence's first step):
  //   for t in 0..steps-1, i in 0..width-1:
  //     g = sigmoid(f[t, i]);  c[i] = g * c[i] + (1 - g) * x[t, i];
  //     h[t, i] = c[i] > 0 ? c[i] : 0    (Marian's relu: +0, never -0)
  // x, f, h: [steps, width], rows x_stride / f_stride / h_stride floats apart.
  // Aliasing: h[t, i] may occupy the memory of x[t, i] or f[t, i] (in place,
  // e.g. h == x with h_stride == x_stride) but of no other element of x or f;
  // x and f may overlap each other; c overlaps none of x, f, h. x and c must
  // be finite; f may be +-inf (g saturates to 1 / 0), not NaN. The reference
  // is Marian's scalar float formula (reference/ssru.cc); ISA tables use a
  // vector exp and FMA (tolerance in kernels/README.md, "SSRU"). Running the
  // steps in several calls gives the same bits as one call, in every table.
  void (*f32_ssru)(size_t steps, size_t width, const float* x, size_t x_stride, const float* f,
                   size_t f_stride, float* c, float* h, size_t h_stride);

  // Static symmetric int8 quantization with a fixed multiplier (Marian /
  // intgemm's precomputed activation "alphas": multiplier = 127 / alpha) of
  // x [rows, k] (rows x_stride floats apart) into xq [rows, qd8_row_bytes(k)],
  // the row layout of f32_qd8_quantize, so qd8_qc8w_gemm consumes it (with
  // x_scales[r] = 1 / multiplier):
  //   q = rne(clamp(x * multiplier, -127, 127))   (float ops, ties to even)
  // Bytes [k, qd8_row_bytes(k)) of every row are written as 0. x and
  // multiplier must be finite, |multiplier| <= 2^125 (so armv7 NEON's
  // flush-to-zero only touches products that round to 0 anyway).
  // Bit-identical in every table.
  void (*f32_qs8_quantize)(size_t rows, size_t k, const float* x, size_t x_stride,
                           float multiplier, int8_t* xq);

  // ---- Images (format 1.5) --------------------------------------------------
  // Appended after f32_qs8_quantize so existing aggregate initializers keep
  // their order. Numerics and tolerances in kernels/README.md ("Images").

  // y[i] = act(x[i] * pre_scale + pre_shift) * post_scale + post_shift over
  // n elements (ActivationParams); x may equal y. The fused epilogue of
  // Conv2D / FullyConnected and the Pointwise op. The reference evaluates
  // in double and rounds once.
  void (*f32_activation)(size_t n, const float* x, float* y, const ActivationParams& params);

  // See DwConvArgs: the hot op of mobile CNNs (3x3 / 5x5 depthwise).
  void (*f32_dwconv)(const DwConvArgs& args);

  // These three are reference-only today (ISA tables point at the
  // reference): a small share of an OCR model's time.
  void (*f32_conv_transpose2d)(const ConvTransposeArgs& args);
  void (*f32_pool2d)(const Pool2DArgs& args);
  void (*f32_resize)(const ResizeArgs& args);
  // y[r, :] = softmax(x[r, :]) over cols >= 1 (max subtracted first); x may
  // equal y. The reference sums in double; the AVX2 / NEON kernels (the end
  // of PP-OCRv4's recognizer, 6625 classes per frame) use a vector exp and a
  // float sum split over lanes (tolerance and bench in kernels/README.md).
  void (*f32_softmax)(size_t rows, size_t cols, const float* x, float* y);

  // ---- Packed f32 GEMM (issue #18) ------------------------------------------
  // Optional: 0 / nullptr where fp32 layers stay on XNNPACK. Appended last so
  // existing aggregate initializers keep their order.
  // W [n, k] (+ bias [n] or nullptr) is packed once by f32_gemm_pack() below
  // into panels of kF32GemmPanel (16) columns, one layout for every table
  // (and the one the converter writes: used in place from the file); then
  //   y[r, c] = bias[c] + sum_k x[r, k] * w[c, k]
  // with one FMA per product, k = 0..K-1 in order, starting from the bias
  // (tolerance in kernels/README.md, "Packed f32 GEMM"). `packed` points at
  // the panel of column 0 of this call (the panels of columns [c0, c0 + n)
  // with c0 a multiple of f32_gemm_nr: packed + c0 / kF32GemmPanel *
  // f32_gemm_panel_floats(k), y + c0), so callers split columns across
  // threads by whole register tiles. x rows x_stride floats apart, y rows
  // y_stride floats apart; writes exactly columns [0, n) of rows [0, m).
  // `packed` must be 64-byte aligned (each panel then is).
  // f32_gemm_nr: the columns of the kernel's register tile, a multiple of
  // kF32GemmPanel: 16 (avx2: one panel) or 32 (avx512vnni: two panels side
  // by side); 0 without a packed GEMM.
  size_t f32_gemm_nr;
  void (*f32_gemm_packed)(size_t m, size_t n, size_t k, const float* x, size_t x_stride, const float* packed,
                          float* y, size_t y_stride);
  // Where the packed GEMM measured at least level with XNNPACK's f32 GEMM on
  // the CPUs the table runs on (docs/gemm.md): sessions of up to
  // f32_gemm_packed_rows rows, and any rows once K >= f32_gemm_packed_long_k
  // (0: never). FullyConnected chooses by these (fc_packed_f32.cc).
  size_t f32_gemm_packed_rows;
  size_t f32_gemm_packed_long_k;
  // The indirect form of f32_gemm_packed (nullptr exactly where that is):
  // row r's K = ks * kc inputs are ks runs of kc floats at a[r * ks + s]
  // (a [m, ks] pointers, e.g. the input pixels under a convolution's taps,
  // or a row of zeros at a border), its output row y[r] (y [m] pointers):
  //   y[r][c] = bias[c] + sum_{s < ks, i < kc} a[r ks + s][i] * w[c, s kc + i]
  // over W [n, ks kc] packed by f32_gemm_pack(n, ks kc, ...) (or
  // f32_gemm_pack_runs), the same FMAs in the same order as f32_gemm_packed
  // on the concatenated row. Writes columns [0, n) of each y[r].
  void (*f32_igemm_packed)(size_t m, size_t n, size_t ks, size_t kc, const float* const* a, const float* packed,
                           float* const* y);

  // ---- Block-quantized weights (format 1.9, issue #19) ----------------------
  // Appended last so existing aggregate initializers keep their order; every
  // table sets all three (kernels/dispatch.cc). W [n, k] is I4Blocks or
  // I8Blocks (runtime/core/weight_blocks.h: ggml's Q4_1 / Q8_0 bytes, k a
  // multiple of 32), rows k / 32 blocks apart, read in place from the mmap.
  // The arithmetic is ggml's (x86 vec_dot_q4_1_q8_1 / vec_dot_q8_0_q8_0 on
  // activations from quantize_row_q8_1), so results track llama.cpp's.

  // Quantizes x [rows, k] (rows x_stride floats apart, k a multiple of 32)
  // per row and block of 32 values, as ggml's Q8_1:
  //   amax = max |x| over the block;  if !(amax >= kQd8MinAmax): d = s = 0, q = 0;
  //   else q[j] = rne(clamp(x[j] * (127.0f / amax), -127, 127)),
  //        d = f16(amax / 127.0f),  s = f16((amax / 127.0f) * float(sum_j q[j]))
  // into xq [rows, k] int8, xd [rows, k / 32], xs [rows, k / 32] (f16() =
  // rounded to binary16 and back, nearest even, as ggml stores them). x must
  // be finite. Bit-identical in every table.
  void (*f32_q8b_quantize)(size_t rows, size_t k, const float* x, size_t x_stride, int8_t* xq, float* xd,
                           float* xs);

  // y[r, c] (+ bias[c]) for W's row c and x's row r, with blocks b = 0 .. k/32 - 1
  // in order and 8 lane accumulators (ggml's __m256 acc):
  //   d = half(w[c, b].d) * xd[r, b]
  //   for l < 8:  acc[l] = fma(d, float(sum_{j = 4l}^{4l + 3} q_w[j] * xq[r, 32 b + j]), acc[l])
  //   I4Blocks:   accm = fma(half(w[c, b].m), xs[r, b], accm)
  // then y = ((acc0 + acc4) + (acc2 + acc6)) + ((acc1 + acc5) + (acc3 + acc7)),
  // I4Blocks: y = y + accm;  with a bias: y = y + bias[c].
  // The lane sums are exact int32 (|sum| <= 4 * 15 * 127, 4 * 128 * 127).
  // xq / xd / xs from f32_q8b_quantize ([m, k], [m, k / 32] each; xs unused
  // with I8Blocks); bias [n] or nullptr; y rows y_stride floats apart.
  // Every table is bit-identical to the reference.
  void (*q8b_i4bw_gemm)(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd, const float* xs,
                        const void* w, const float* bias, float* y, size_t y_stride);
  void (*q8b_i8bw_gemm)(size_t m, size_t n, size_t k, const int8_t* xq, const float* xd, const float* xs,
                        const void* w, const float* bias, float* y, size_t y_stride);
};

// Columns per panel of f32_gemm_packed's W: one 64-byte line per k.
constexpr size_t kF32GemmPanel = 16;
// Floats of one packed panel (kF32GemmPanel biases, then k rows of
// kF32GemmPanel weights) and of all of W [n, k].
constexpr size_t f32_gemm_panel_floats(size_t k) { return (k + 1) * kF32GemmPanel; }
constexpr size_t f32_gemm_packed_floats(size_t n, size_t k) {
  return (n + kF32GemmPanel - 1) / kF32GemmPanel * f32_gemm_panel_floats(k);
}

// Packs W [n, k] (rows k floats apart) and bias [n] (nullptr: zeros) into
// f32_gemm_packed_floats(n, k) floats at `packed`: per panel p of P =
// kF32GemmPanel columns, bias[p P .. p P + P), then for each k the weights
// w[p P + j, k], j = 0..P-1; columns past n are zero. Every table reads this
// layout.
void f32_gemm_pack(size_t n, size_t k, const float* w, const float* bias, float* packed);
// The same panels for W [n, ks kc] given as ks runs: column c's weights
// [s kc, s kc + kc) are w[s] + c * w_stride (e.g. the taps of a transposed
// convolution's weight [KH, KW, Cout, Cin]: run s = tap, w_stride = Cin).
void f32_gemm_pack_runs(size_t n, size_t ks, size_t kc, const float* const* w, size_t w_stride, const float* bias,
                        float* packed);
// The same panels for W = w[0] + w[1] + ... + w[terms - 1] (each [n, k],
// rows w_stride floats apart; summed in that order in float), e.g. a
// Winograd-transformed weight, a sum of a convolution's taps.
void f32_gemm_pack_sum(size_t n, size_t k, size_t terms, const float* const* w, size_t w_stride, const float* bias,
                       float* packed);
// The inverse: W [n, k] row-major from f32_gemm_pack's panels (the biases
// are not returned), for the tables without a packed GEMM when the weights
// came packed in the file.
void f32_gemm_unpack(size_t n, size_t k, const float* packed, float* w);

// Row stride in bytes of the xq buffer of f32_qd8_quantize / qd8_qc8w_gemm:
// k rounded up to a multiple of 32 (so the kernels load whole 16/32-byte
// vectors of x). The runtime allocates rows * qd8_row_bytes(k) bytes.
constexpr size_t qd8_row_bytes(size_t k) { return (k + 31) / 32 * 32; }

// f32_qd8_quantize maps rows with max |x| below this (2^-100) to scale 0.
constexpr float kQd8MinAmax = 0x1p-100f;

// Largest K for qd8_qc8w_gemm: K * 127 * 127 must fit int32.
constexpr size_t kQd8MaxK = 133144;  // floor((2^31 - 1) / 16129)

// The reference table: available everywhere.
const KernelTable& reference_kernels();

// Fills cos_sin [max_pos, rotary_dim / 2, 2] for f32_rope, in float exactly
// as llama2.c does: freq_i = 1 / powf(theta, 2i / rotary_dim), angle = pos * freq_i.
void fill_rope_table(size_t max_pos, size_t rotary_dim, float theta, float* cos_sin);

struct CpuFeatures {
  bool avx2 = false;   // includes FMA and F16C on x86
  bool avx_vnni = false;     // x86 AVX-VNNI (256-bit VEX VPDPBUSD), with avx2
  bool avx512_vnni = false;  // x86 AVX512-VNNI with AVX512F/BW/VL and OS zmm state, with avx2
  bool neon = false;
  bool neon_fp16 = false;
  bool neon_dotprod = false;  // AArch64 SDOT/UDOT (HWCAP_ASIMDDP)
};

CpuFeatures detect_cpu_features();

// The fastest table this build has for `features`, falling back per op to
// the reference kernels.
const KernelTable& select_kernels(const CpuFeatures& features);

// Most tables one build holds: enough for any out array of the functions below.
constexpr size_t kMaxKernelTables = 8;

// Every table compiled into this build, reference first, and whether this
// CPU can run it: tests name the ones they could not exercise here.
struct CompiledKernelTable {
  const KernelTable* table;
  const char* needs;  // the CPU features it needs ("" for the reference table)
  bool runnable;      // this CPU has them
};
size_t compiled_kernel_tables(CompiledKernelTable* out, size_t max_out);

// Tables compiled into this build that the host can run, reference first:
// the names the runtime accepts (available_kernel_names, runtime/session.h),
// and what tests and benchmarks run (every entry must agree with
// reference_kernels()).
size_t available_kernel_tables(const KernelTable** out, size_t max_out);

// The available table called `name` (e.g. "avx2" to compare against a VNNI
// table on the same host), or nullptr if this build or CPU lacks it.
const KernelTable* find_kernel_table(const char* name);

}  // namespace edgeattn
