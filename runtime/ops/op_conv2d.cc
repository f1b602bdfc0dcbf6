// Conv2D (format 1.5): NHWC convolution with groups, then the fused
// epilogue y = act(conv + bias) * post_scale + post_shift.
//
//   x [B, H, W, Cin], weight [Cout, KH, KW, Cin / groups] (constant), bias? [Cout]
//   y [B, Ho, Wo, Cout],  Ho = (H + pad_top + pad_bottom - dilation_h (KH - 1) - 1) / stride_h + 1
//
// Three paths, chosen at prepare by shape (never XNNPACK's convolution
// operators: Debian's re-allocate their indirection buffer on every new
// H x W, and image sizes change per invoke):
//   depthwise  groups == Cin (Cout = k Cin, k the depthwise multiplier):
//              the table's f32_dwconv over output rows, in parallel; the
//              weights repacked once to [KH, KW, Cout] (channels innermost,
//              what the vector kernels load); k > 1 first repeats each input
//              channel k times into op scratch so the kernel sees Cin == Cout.
//   1x1        KH = KW = 1, stride 1, no padding: a fully connected layer over
//              the B * H * W pixels, x used in place (weight [Cout, Cin] is
//              already the FC's [N, K]); groups read channel slices through
//              the input / output strides.
//   im2col     everything else: each tile of output pixels is unfolded into
//              op scratch as rows of (kh, kw, ci) taps (the weight's own
//              order, so [Cout, KH * KW * Cin / groups] is the FC's matrix),
//              then one FC per group. Tiles keep the scratch <= 4 MB
//              whatever the image size.
// The GEMM paths split the output pixels into tiles and give each thread
// whole tiles (the next unclaimed one, parallel::for_tiles): the thread unfolds the tile
// (im2col), multiplies it and runs the epilogue while the tile is in its
// cache. So each thread has its own FC operators: XNNPACK's f32 fully
// connected, [threads, groups] of them created at prepare (an operator's
// setup state cannot be shared; a changing row count allocates nothing,
// docs/xnnpack-debian12.md §2; each holds its own packed copy of the
// weights), run on the calling thread; or, on the reference table, its own
// f32_gemm. Relu / Relu6 without a post affine are XNNPACK's output clamp;
// any other epilogue is f32_activation over the tile's rows. Depthwise rows
// run their epilogue right after the kernel, on the same thread.
//
// Quantized weights (the converter's --dtype fp16 / int8; own_gemm.h):
//   f16  the table's f32_f16w_gemm reads W in place (fp32 compute).
//   i8   W int8 with one scale per output channel (Quantization axis 0,
//        scale[Cout]); each tile's rows (im2col rows, or pixels of the 1x1
//        path, which then tiles too) are quantized per row into op scratch
//        (f32_qd8_quantize), then qd8_qc8w_gemm: FullyConnected's dynamic
//        int8 per group.
//   depthwise weights of either dtype are dequantized into the repacked f32
//   copy at prepare (KH * KW * C values: nothing to gain from reading them
//   quantized).
#include <xnnpack.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "kernels/kernels.h"
#include "runtime/core/half.h"
#include "runtime/model.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/own_gemm.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr int kMaxWindow = image_util::kMaxConvWindow;
// Per-thread scratch bound of the im2col path and the i8 1x1 path (about
// an L2 cache), and the tile of the f32 / f16 1x1 path (no scratch).
constexpr size_t kTileBytes = size_t{512} << 10;
constexpr size_t kTile1x1 = 1024;
constexpr size_t kMinTile = 32;  // pixels: below this, per-tile overhead shows

enum class ConvPath : uint8_t { kDepthwise, kGemm1x1, kIm2Col };

struct ConvState {
  ConvPath path = ConvPath::kIm2Col;
  size_t tile_pixels = 0;        // GEMM paths: the largest tile (output pixels)
  size_t slots = 1;              // GEMM paths: threads, each with its scratch and operators
  size_t slot_scratch = 0;       // bytes of one thread's scratch (64-byte multiple)
  bool epilogue = false;         // run f32_activation over y afterwards
  bool whole_fc = false;         // f32 1x1 on XNNPACK: all pixels in one FC per group, on XNNPACK's threads
  xnn_operator_t* xnn = nullptr;  // [slots, groups] FC operators; nullptr: the table's f32_gemm (reference)
  size_t n_xnn = 0;
  float* dw_weights = nullptr;   // depthwise: [KH, KW, Cout] repacked, in the op state pool
};

// Every size of one invoke (or of the session maxima at prepare).
struct Geometry {
  size_t batch, in_h, in_w, cin, out_h, out_w, cout;
  size_t kh, kw, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  size_t groups, cin_g, cout_g;  // per group: Cin / groups, Cout / groups
  size_t k;                      // GEMM depth per group: KH * KW * cin_g
};

// Op scratch of the GEMM paths, for tiles of `tile` output pixels:
//   [tile, K] f32                im2col rows    (im2col path)
//   [tile, qd8_row_bytes(K)] i8  rows quantized (i8 weights)
//   [tile] f32                   their scales   (i8 weights)
struct ConvScratch {
  size_t xq_at = 0, scales_at = 0, total = 0;
  ConvScratch(size_t tile, size_t k, bool im2col, bool int8) {
    const size_t col = im2col ? tile * k * sizeof(float) : 0;
    if (!int8) {
      total = col;
      return;
    }
    xq_at = (col + 63) / 64 * 64;
    scales_at = xq_at + (tile * qd8_row_bytes(k) + 63) / 64 * 64;
    total = scales_at + tile * sizeof(float);
  }
  static size_t per_pixel(size_t k, bool im2col, bool int8) {
    return (im2col ? k * sizeof(float) : 0) + (int8 ? qd8_row_bytes(k) + sizeof(float) : 0);
  }
};

Geometry geometry(const Model& model, const fb::Op& op, const DimValues& dims) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& x = model.tensor(input(op, 0));
  const TensorInfo& y = model.tensor(output(op, 0));
  const TensorInfo& w = model.tensor(input(op, 1));
  Geometry g;
  g.batch = static_cast<size_t>(x.dim(0, dims));
  g.in_h = static_cast<size_t>(x.dim(1, dims));
  g.in_w = static_cast<size_t>(x.dim(2, dims));
  g.cin = static_cast<size_t>(x.dim(3, dims));
  g.out_h = static_cast<size_t>(y.dim(1, dims));
  g.out_w = static_cast<size_t>(y.dim(2, dims));
  g.cout = static_cast<size_t>(y.dim(3, dims));
  g.kh = static_cast<size_t>(w.shape[1]);
  g.kw = static_cast<size_t>(w.shape[2]);
  g.stride_h = static_cast<size_t>(o.stride_h());
  g.stride_w = static_cast<size_t>(o.stride_w());
  g.dil_h = static_cast<size_t>(o.dilation_h());
  g.dil_w = static_cast<size_t>(o.dilation_w());
  g.pad_top = static_cast<size_t>(o.pad_top());
  g.pad_left = static_cast<size_t>(o.pad_left());
  g.groups = static_cast<size_t>(o.groups());
  g.cin_g = g.cin / g.groups;
  g.cout_g = g.cout / g.groups;
  g.k = g.kh * g.kw * g.cin_g;
  return g;
}

// Weight [Cout, KH, KW, Cin / groups]: f32, f16, or i8 with one scale per
// output channel.
Status verify_weight(const Model& model, int index, int64_t cout) {
  const TensorInfo& w = model.tensor(index);
  EA_ENSURE(w.is_constant, StatusCode::kInvalidModel, "weight '%s' must be a constant", w.name);
  EA_ENSURE(w.rank == 4, StatusCode::kInvalidModel, "weight '%s' has rank %d, expects 4", w.name, w.rank);
  EA_ENSURE(w.shape[0] == cout, StatusCode::kInvalidModel, "weight '%s' dim 0 is %lld, expects Cout = %lld", w.name,
            static_cast<long long>(w.shape[0]), static_cast<long long>(cout));
  EA_ENSURE(w.dtype == DType::kF32 || w.dtype == DType::kF16 || w.dtype == DType::kI8, StatusCode::kUnsupported,
            "weight '%s' is %s; conv weights must be f32, f16 or i8", w.name, dtype_name(w.dtype));
  if (w.dtype != DType::kI8) return Status::ok();
  EA_ENSURE(w.quant_axis == 0 && w.scales != nullptr && static_cast<int64_t>(w.scale_count) == cout,
            StatusCode::kInvalidModel, "i8 weight '%s' needs one scale per output channel (axis 0, %lld scales)",
            w.name, static_cast<long long>(cout));
  const size_t k = static_cast<size_t>(w.shape[1] * w.shape[2] * w.shape[3]);
  EA_ENSURE(k <= kQd8MaxK, StatusCode::kUnsupported, "i8 weight '%s' with K = %zu exceeds the int32 accumulator bound %zu",
            w.name, k, kQd8MaxK);
  return Status::ok();
}

// Element i of weight w as f32 (i8: row i / row_len's scale).
float weight_value(const TensorInfo& w, size_t i, size_t row_len) {
  if (w.dtype == DType::kF16) return half_to_float(static_cast<const uint16_t*>(w.data)[i]);
  if (w.dtype == DType::kI8) return static_cast<float>(static_cast<const int8_t*>(w.data)[i]) * w.scales[i / row_len];
  return static_cast<const float*>(w.data)[i];
}

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 3, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::Conv2DOptions), true));
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  EA_RETURN_IF_ERROR(image_util::verify_conv_options(o));
  int64_t cin = 0, cout = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &cin, &cout));
  EA_RETURN_IF_ERROR(verify_weight(model, input(op, 1), cout));
  const TensorInfo& w = model.tensor(input(op, 1));
  EA_ENSURE(w.shape[1] >= 1 && w.shape[1] <= kMaxWindow && w.shape[2] >= 1 && w.shape[2] <= kMaxWindow,
            StatusCode::kInvalidModel, "weight '%s': kernel %lldx%lld not in [1, %d]", w.name,
            static_cast<long long>(w.shape[1]), static_cast<long long>(w.shape[2]), kMaxWindow);
  const int64_t groups = o.groups();
  EA_ENSURE(groups >= 1 && cin % groups == 0 && cout % groups == 0, StatusCode::kInvalidModel,
            "groups %lld must divide Cin %lld and Cout %lld", static_cast<long long>(groups),
            static_cast<long long>(cin), static_cast<long long>(cout));
  EA_ENSURE(w.shape[3] == cin / groups, StatusCode::kInvalidModel, "weight '%s': dim 3 is %lld, expects Cin / groups = %lld",
            w.name, static_cast<long long>(w.shape[3]), static_cast<long long>(cin / groups));
  if (input(op, 2) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &cout));
  const int64_t span_h = int64_t{o.dilation_h()} * (w.shape[1] - 1) + 1;
  const int64_t span_w = int64_t{o.dilation_w()} * (w.shape[2] - 1) + 1;
  EA_RETURN_IF_ERROR(image_util::check_window_dim(model, input(op, 0), output(op, 0), 1,
                                                  int64_t{o.pad_top()} + o.pad_bottom(), span_h, o.stride_h()));
  return image_util::check_window_dim(model, input(op, 0), output(op, 0), 2, int64_t{o.pad_left()} + o.pad_right(),
                                      span_w, o.stride_w());
}

// Per thread, one XNNPACK FC per group: W rows [g cout_g, (g + 1) cout_g),
// reading rows of `in_stride` floats and writing y rows Cout floats apart.
Status create_operators(const PrepareContext& ctx, const fb::Op& op, const Geometry& g, size_t in_stride, float lo,
                        float hi, ConvState* s) {
  EA_ASSIGN_OR_RETURN(void* ops, ctx.states->allocate(s->slots * g.groups * sizeof(xnn_operator_t)));
  s->xnn = static_cast<xnn_operator_t*>(ops);
  const float* w = static_cast<const float*>(ctx.model->tensor(input(op, 1)).data);  // [Cout, K]
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(ctx.model->tensor(input(op, 2)).data) : nullptr;
  for (size_t i = 0; i < s->slots * g.groups; ++i) {
    const size_t gi = i % g.groups;
    const xnn_status st = xnn_create_fully_connected_nc_f32(
        g.k, g.cout_g, in_stride, g.cout, w + gi * g.cout_g * g.k, bias != nullptr ? bias + gi * g.cout_g : nullptr,
        lo, hi, 0, &s->xnn[i]);
    EA_ENSURE(st != xnn_status_out_of_memory, StatusCode::kOutOfMemory, "out of memory in xnn_create_fully_connected_nc_f32");
    EA_ENSURE(st == xnn_status_success, StatusCode::kInternal, "xnn_create_fully_connected_nc_f32 (%zux%zu) failed: %d",
              g.cout_g, g.k, static_cast<int>(st));
    s->n_xnn = i + 1;
  }
  return Status::ok();
}

// Depthwise: the weights [Cout, KH, KW, 1] as [KH, KW, Cout]; op scratch for
// the multiplier's expanded input [B, H, W, Cout].
Status prepare_depthwise(PrepareContext& ctx, const fb::Op& op, const Geometry& g, ConvState* s, OpRecord* record) {
  s->path = ConvPath::kDepthwise;
  if (g.cout != g.cin) record->scratch_bytes = g.batch * g.in_h * g.in_w * g.cout * sizeof(float);
  if (!ctx.create_operators) return Status::ok();
  EA_ASSIGN_OR_RETURN(void* bytes, ctx.states->allocate(g.kh * g.kw * g.cout * sizeof(float)));
  s->dw_weights = static_cast<float*>(bytes);
  const TensorInfo& w = ctx.model->tensor(input(op, 1));  // [Cout, KH, KW, 1], any weight dtype
  const size_t taps = g.kh * g.kw;
  for (size_t co = 0; co < g.cout; ++co) {
    for (size_t t = 0; t < taps; ++t) s->dw_weights[t * g.cout + co] = weight_value(w, co * taps + t, taps);
  }
  return Status::ok();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  EA_ASSIGN_OR_RETURN(ConvState* const s, ctx.make_state<ConvState>(record));
  const Geometry g = geometry(*ctx.model, op, ctx.max_dims);
  const ActivationParams ep = image_util::conv_epilogue(op.options_as_Conv2DOptions());
  s->epilogue = !image_util::is_identity(ep);
  if (g.groups == g.cin) return prepare_depthwise(ctx, op, g, s, record);
  const bool one_by_one = g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 &&
                          g.pad_left == 0 && g.out_h == g.in_h && g.out_w == g.in_w;
  s->path = one_by_one ? ConvPath::kGemm1x1 : ConvPath::kIm2Col;
  const bool int8 = ctx.model->tensor(input(op, 1)).dtype == DType::kI8;
  const size_t pixels = g.batch * g.out_h * g.out_w;
  const size_t per_pixel = ConvScratch::per_pixel(g.k, !one_by_one, int8);
  const size_t most = per_pixel == 0 ? kTile1x1 : std::max(kMinTile, kTileBytes / per_pixel);
  s->tile_pixels = std::max<size_t>(1, std::min(pixels, most));
  s->slots = ctx.threads;
  s->slot_scratch = (ConvScratch(s->tile_pixels, g.k, !one_by_one, int8).total + 63) / 64 * 64;
  // The arena adds XNNPACK's slack past the last thread's im2col rows.
  record->scratch_bytes = s->slots * s->slot_scratch;
  const bool quantized = ctx.model->tensor(input(op, 1)).dtype != DType::kF32;
  if (quantized || ctx.kernels->f32_gemm != nullptr || !ctx.create_operators) {
    return Status::ok();  // the own kernels (own_gemm.h), or plan()
  }
  // Relu / Relu6 with an identity post affine become XNNPACK's output clamp.
  float lo, hi;
  if (image_util::xnnpack_clamp(ep, &lo, &hi)) s->epilogue = false;
  // f32 1x1: one operator per group over all pixels on XNNPACK's own
  // threads (no per-thread copies of the packed weights; measured as fast
  // as tiles), the epilogue then a pass over y on the threads.
  s->whole_fc = one_by_one;
  if (one_by_one) s->slots = 1;
  return create_operators(ctx, op, g, one_by_one ? g.cin : g.k, lo, hi, s);
}

void release(OpRecord& record) {
  if (record.state == nullptr) return;
  ConvState& s = *static_cast<ConvState*>(record.state);
  for (size_t i = 0; i < s.n_xnn; ++i) xnn_delete_operator(s.xnn[i]);
  s.n_xnn = 0;
}

// y rows [m] of group `gi` = a [m, K] (rows a_stride apart) · W_gᵀ + bias_g,
// written cout_g columns wide into rows Cout apart; on the calling thread,
// with thread `slot`'s operator and scratch.
Status group_gemm(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, const Geometry& g, size_t slot,
                  size_t gi, size_t m, const float* a, size_t a_stride, float* y) {
  const ConvState& s = state_of<ConvState>(record);
  if (s.xnn != nullptr) {
    xnn_operator_t fc = s.xnn[slot * g.groups + gi];
    xnn_status st = xnn_setup_fully_connected_nc_f32(fc, m, a, y, nullptr);
    if (st == xnn_status_success) st = xnn_run_operator(fc, nullptr);
    EA_ENSURE(st == xnn_status_success, StatusCode::kInternal, "XNNPACK fully connected failed: %d", static_cast<int>(st));
    return Status::ok();
  }
  const TensorInfo& w = ctx.model->tensor(input(op, 1));
  const size_t first = gi * g.cout_g;  // the group's first output channel = row of W
  OwnGemm j;
  j.kernels = ctx.kernels;
  j.dtype = w.dtype;
  j.m = m, j.n = g.cout_g, j.k = g.k;
  j.x = a;
  j.x_stride = a_stride;
  j.w = static_cast<const uint8_t*>(w.data) + first * g.k * dtype_size(w.dtype);
  j.w_scales = w.scales != nullptr ? w.scales + first : nullptr;
  j.bias = input(op, 2) >= 0 ? ctx.f32(input(op, 2)) + first : nullptr;
  j.y = y;
  j.y_stride = g.cout;
  if (w.dtype == DType::kI8) {
    uint8_t* scratch = record.scratch + slot * s.slot_scratch;
    const ConvScratch layout(s.tile_pixels, g.k, s.path == ConvPath::kIm2Col, true);
    int8_t* xq = reinterpret_cast<int8_t*>(scratch + layout.xq_at);       // [m, qd8_row_bytes(K)]
    float* scales = reinterpret_cast<float*>(scratch + layout.scales_at);  // [m]
    ctx.kernels->f32_qd8_quantize(m, g.k, a, a_stride, xq, scales);
    j.xq = xq;
    j.x_scales = scales;
  }
  own_gemm_rows(j, 0, m, 0, g.cout_g, 0);
  return Status::ok();
}

// Rows [p0, p0 + n) of group gi's im2col matrix into col [n, K]: row p is
// output pixel (b, oh, ow) and holds its taps (kh, kw, ci), zero outside
// the image.
void im2col(const Geometry& g, const float* x, size_t gi, size_t p0, size_t n, float* col) {
  for (size_t r = 0; r < n; ++r) {
    const size_t p = p0 + r;
    const size_t b = p / (g.out_h * g.out_w), oh = p / g.out_w % g.out_h, ow = p % g.out_w;
    float* row = col + r * g.k;
    for (size_t kh = 0; kh < g.kh; ++kh) {
      const long ih = static_cast<long>(oh * g.stride_h + kh * g.dil_h) - static_cast<long>(g.pad_top);
      for (size_t kw = 0; kw < g.kw; ++kw) {
        const long iw = static_cast<long>(ow * g.stride_w + kw * g.dil_w) - static_cast<long>(g.pad_left);
        float* dst = row + (kh * g.kw + kw) * g.cin_g;
        if (ih < 0 || iw < 0 || ih >= static_cast<long>(g.in_h) || iw >= static_cast<long>(g.in_w)) {
          std::memset(dst, 0, g.cin_g * sizeof(float));
        } else {
          const size_t pixel = (b * g.in_h + static_cast<size_t>(ih)) * g.in_w + static_cast<size_t>(iw);
          std::memcpy(dst, x + pixel * g.cin + gi * g.cin_g, g.cin_g * sizeof(float));
        }
      }
    }
  }
}

// One invoke of the GEMM paths: tiles of `tile` output pixels, each thread
// (slot) taking the next unclaimed one (parallel::for_tiles).
struct GemmJob {
  const EvalContext* ctx;
  const fb::Op* op;
  const OpRecord* record;
  Geometry g;
  const float* x;  // [B, H, W, Cin]
  float* y;        // [B, Ho, Wo, Cout]
  size_t pixels, tile;
  ActivationParams ep;
  std::atomic<bool> has_error{false};  // set by the one task that writes error
  Status error;                        // the first failing tile's
};

// Tile t: unfold (im2col), one GEMM per group, the epilogue.
Status run_tile(const GemmJob& j, size_t slot, size_t t) {
  const ConvState& s = state_of<ConvState>(*j.record);
  const Geometry& g = j.g;
  const size_t p0 = t * j.tile, n = std::min(j.tile, j.pixels - p0);
  float* col = reinterpret_cast<float*>(j.record->scratch + slot * s.slot_scratch);  // im2col: [tile, K]
  for (size_t gi = 0; gi < g.groups; ++gi) {
    float* y_tile = j.y + p0 * g.cout + gi * g.cout_g;
    if (s.path == ConvPath::kGemm1x1) {  // x in place: the group's channel slice of the tile's pixels
      EA_RETURN_IF_ERROR(group_gemm(*j.ctx, *j.op, *j.record, g, slot, gi, n, j.x + p0 * g.cin + gi * g.cin_g, g.cin,
                                    y_tile));
    } else {
      im2col(g, j.x, gi, p0, n, col);
      EA_RETURN_IF_ERROR(group_gemm(*j.ctx, *j.op, *j.record, g, slot, gi, n, col, g.k, y_tile));
    }
  }
  if (s.epilogue) j.ctx->kernels->f32_activation(n * g.cout, j.y + p0 * g.cout, j.y + p0 * g.cout, j.ep);
  return Status::ok();
}

// parallel::for_tiles' task: run_tile, keeping the first failure's status.
bool gemm_tile(void* context, size_t slot, size_t t) {
  GemmJob& j = *static_cast<GemmJob*>(context);
  Status st = run_tile(j, slot, t);
  if (st.is_ok()) return true;
  if (!j.has_error.exchange(true)) j.error = st;
  return false;
}

struct EpilogueJob {
  const KernelTable* kernels;
  float* y;
  ActivationParams ep;
};

void epilogue_chunk(void* context, size_t i0, size_t n) {
  const EpilogueJob& j = *static_cast<const EpilogueJob*>(context);
  j.kernels->f32_activation(n, j.y + i0, j.y + i0, j.ep);
}

// ConvState::whole_fc: one XNNPACK FC per group over every pixel (x in
// place), then the epilogue over y in chunks on the threads.
Status eval_whole_fc(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, const Geometry& g) {
  const ConvState& s = state_of<ConvState>(record);
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, Cin]
  float* y = ctx.f32(output(op, 0));        // [B, Ho, Wo, Cout]
  const size_t pixels = g.batch * g.out_h * g.out_w;
  pthreadpool* const pool = ctx.pool_for(pixels * g.cout_g * g.k);
  for (size_t gi = 0; gi < g.groups; ++gi) {
    xnn_status st = xnn_setup_fully_connected_nc_f32(s.xnn[gi], pixels, x + gi * g.cin_g, y + gi * g.cout_g, pool);
    if (st == xnn_status_success) st = xnn_run_operator(s.xnn[gi], pool);
    EA_ENSURE(st == xnn_status_success, StatusCode::kInternal, "XNNPACK fully connected failed: %d", static_cast<int>(st));
  }
  if (!s.epilogue) return Status::ok();
  EpilogueJob j{ctx.kernels, y, image_util::conv_epilogue(op.options_as_Conv2DOptions())};
  const size_t n = pixels * g.cout;
  pthreadpool* const epool = ctx.pool_for(n * 8);  // an activation costs a few multiply-adds per element
  parallel::for_1d_tile(epool, epilogue_chunk, &j, n, std::max<size_t>(4096, n / (4 * parallel::threads(epool))));
  return Status::ok();
}

Status eval_gemm(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, const Geometry& g) {
  const ConvState& s = state_of<ConvState>(record);
  if (s.whole_fc) return eval_whole_fc(ctx, op, record, g);
  GemmJob j;
  j.ctx = &ctx, j.op = &op, j.record = &record, j.g = g;
  j.x = ctx.f32(input(op, 0));
  j.y = ctx.f32(output(op, 0));
  j.pixels = g.batch * g.out_h * g.out_w;
  j.ep = image_util::conv_epilogue(op.options_as_Conv2DOptions());
  pthreadpool* const pool = ctx.pool_for(j.pixels * g.cout_g * g.k);
  const size_t slots = std::min(s.slots, parallel::threads(pool));
  // About 4 tiles per thread when the image is small (balance), else the
  // planned tile (cache, scratch).
  const size_t balanced = (j.pixels + 4 * slots - 1) / (4 * slots);
  j.tile = std::min(s.tile_pixels, std::max(kMinTile, balanced));
  const size_t tiles = (j.pixels + j.tile - 1) / j.tile;
  return parallel::for_tiles(pool, slots, gemm_tile, &j, tiles) ? Status::ok() : j.error;
}

struct DwJob {
  const KernelTable* kernels;
  DwConvArgs args;       // for image 0; x / y advance per image
  size_t x_image, y_image;  // floats per image
  bool epilogue;         // f32_activation(ep) over each run of rows
  ActivationParams ep;
};

// Output rows [r0, r0 + n) of the flattened [B * Ho] rows (a tile may span images).
void dw_rows(void* context, size_t r0, size_t n) {
  const DwJob& job = *static_cast<const DwJob*>(context);
  for (size_t r = r0; r < r0 + n;) {
    const size_t b = r / job.args.out_h;
    DwConvArgs a = job.args;
    a.x += b * job.x_image;
    a.y += b * job.y_image;
    a.row_begin = r % a.out_h;
    a.row_end = std::min(a.out_h, a.row_begin + (r0 + n - r));
    job.kernels->f32_dwconv(a);
    if (job.epilogue) {
      float* y = a.y + a.row_begin * a.out_w * a.y_pixel_stride;
      const size_t count = (a.row_end - a.row_begin) * a.out_w * a.y_pixel_stride;
      job.kernels->f32_activation(count, y, y, job.ep);
    }
    r += a.row_end - a.row_begin;
  }
}

Status eval_depthwise(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, const Geometry& g) {
  const ConvState& s = state_of<ConvState>(record);
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, Cin]
  if (g.cout != g.cin) {
    // Depthwise multiplier k: output channel c reads input channel c / k.
    float* expanded = reinterpret_cast<float*>(record.scratch);  // [B, H, W, Cout]
    const size_t k = g.cout / g.cin;
    for (size_t p = 0; p < g.batch * g.in_h * g.in_w; ++p) {
      for (size_t c = 0; c < g.cout; ++c) expanded[p * g.cout + c] = x[p * g.cin + c / k];
    }
    x = expanded;
  }
  DwJob job;
  job.kernels = ctx.kernels;
  job.epilogue = s.epilogue;
  job.ep = image_util::conv_epilogue(op.options_as_Conv2DOptions());
  DwConvArgs& a = job.args;
  a.x = x;
  a.x_pixel_stride = g.cout;
  a.w = s.dw_weights;
  a.bias = input(op, 2) >= 0 ? ctx.f32(input(op, 2)) : nullptr;
  a.y = ctx.f32(output(op, 0));
  a.y_pixel_stride = g.cout;
  a.in_h = g.in_h, a.in_w = g.in_w, a.channels = g.cout;
  a.kh = g.kh, a.kw = g.kw;
  a.stride_h = g.stride_h, a.stride_w = g.stride_w, a.dilation_h = g.dil_h, a.dilation_w = g.dil_w;
  a.pad_top = g.pad_top, a.pad_left = g.pad_left;
  a.out_h = g.out_h, a.out_w = g.out_w;
  job.x_image = g.in_h * g.in_w * g.cout;
  job.y_image = g.out_h * g.out_w * g.cout;
  const size_t rows = g.batch * g.out_h;
  pthreadpool* const pool = ctx.pool_for(rows * g.out_w * g.cout * g.kh * g.kw);
  // About 4 tiles per thread keeps both cores busy when rows differ in cost (borders).
  const size_t tile = std::max<size_t>(1, rows / (4 * parallel::threads(pool)));
  parallel::for_1d_tile(pool, dw_rows, &job, rows, tile);
  return Status::ok();
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const ConvState& s = state_of<ConvState>(record);
  const Geometry g = geometry(*ctx.model, op, ctx.dims);
  return s.path == ConvPath::kDepthwise ? eval_depthwise(ctx, op, record, g) : eval_gemm(ctx, op, record, g);
}

}  // namespace

extern const OpRegistration kConv2DOp = {"Conv2D", verify, prepare, nullptr, eval, release};

}  // namespace edgeattn
