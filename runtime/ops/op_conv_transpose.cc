// ConvTranspose2D (format 1.5): NHWC transposed convolution (groups 1), then
// the Conv2D epilogue y = act(conv + bias) * post_scale + post_shift.
//
//   x [B, H, W, Cin], weight [KH, KW, Cout, Cin] (constant), bias? [Cout]
//   y [B, Ho, Wo, Cout],  Ho = (H - 1) stride_h - pad_top - pad_bottom + dilation_h (KH - 1) + 1
//   y[b, i s - pad_top + kh d, j s - pad_left + kw d, co] += sum_ci x[b, i, j, ci] w[kh, kw, co, ci]
//
// With Height / Width dims the output must be exactly stride times the
// input (pads == dilation (K - 1) + 1 - stride, e.g. k2 s2 pad 0, or k3 s2
// with pad_top 1, pad_bottom 0: ONNX's output_padding folded into the pads).
//
// Five paths, chosen at prepare:
//   winograd a table with a packed f32 GEMM, kernel twice the stride,
//            dilation 1 (k4 s2 pad 1, k2 s1): the subpixel path's phases,
//            each a 2 x 2 correlation, as Winograd F(2x2, 2x2) (9 GEMMs per
//            phase over 2 x 2 blocks of its outputs, 1.78x fewer
//            multiply-adds; conv_transpose_winograd.h), in bands of tile
//            rows. Transformed weights packed at bind (2.25x the weight).
//   subpixel a table with an indirect packed f32 GEMM (f32_igemm_packed),
//            kernel a multiple of the stride, dilation 1 (the k4 s2 pad 1
//            up-sampling of segmentation and saliency decoders, the k2 s2
//            of DB heads): output pixels of one phase (oy mod sh, ox mod sw)
//            all see the same (KH / sh) x (KW / sw) taps, each tap one input
//            pixel at a fixed offset, so each phase is one GEMM over its
//            pixels with K = taps * Cin, its rows gathered by pointer (a
//            zero row past the border) and written in place, bias and all.
//            No patch buffer, no col2im adds, no taps cropped at the border
//            computed. W is packed per phase at bind (its taps as runs).
//            DINOv2-S's decoder: see docs/vision.md.
//   patches  kernel == stride, dilation 1, no pads (DB heads' k2 s2), on a
//            table that leaves f32 to XNNPACK: every output pixel gets
//            exactly one tap of one input pixel, so the op is a fully
//            connected layer x [pixels, Cin] -> z [pixels, KH * KW * Cout]
//            (the weight [KH, KW, Cout, Cin] is already its [N, K]; the bias
//            repeated per tap) whose rows are KH x KW output patches, copied
//            into place. Tiles of input rows go to the threads whole (FC,
//            copy, epilogue), each thread with its own FC operator and z tile.
//   overlap  any other kernel on such a table (e.g. the k4 s2 pad 1
//            up-sampling of segmentation and saliency decoders): the same
//            FC without bias gives each input pixel's KH x KW patch, added
//            into the output (col2im), which starts as the bias. Patches of
//            neighbouring input rows overlap, so the tiles run in two waves,
//            even tiles then odd ones: a tile's output rows reach at most
//            into its neighbours', never two tiles away (checked at
//            prepare), so no two tiles running together touch one row. Then
//            the activation over the output rows.
//   Both FC paths take the table's packed f32 GEMM (f32_gemm_packed) when it
//   has one (for kernels the subpixel path does not take, e.g. k3 s2), on W
//   [KH KW Cout, Cin] packed at bind into the arena (shared by ops with the
//   same weight and bias) instead of XNNPACK's operators, which are then
//   never created. DINOv2-S's saliency decoder (three k4 s2 pad 1 layers)
//   per image on 1 thread (AMD EPYC Zen 4): packed overlap 30.8 -> subpixel
//   28.5 ms (sum of per-op minima over 8 alternating rounds on a busy host;
//   the packed overlap path had measured 28.5 against XNNPACK's 29.8 on a
//   quiet one).
//   kernel   a table with its own f32 GEMM: its f32_conv_transpose2d per
//            image, then the epilogue.
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>

#include "kernels/kernels.h"
#include "runtime/model.h"
#include "runtime/ops/conv_transpose_winograd.h"
#include "runtime/ops/image_util.h"
#include "runtime/ops/op_checks.h"
#include "runtime/ops/op_registry.h"
#include "runtime/ops/parallel.h"
#include "schema/edgeattn_generated.h"

namespace edgeattn {
namespace {

using op_util::input;
using op_util::output;

constexpr int kMaxWindow = image_util::kMaxConvWindow;
constexpr size_t kTileBytes = size_t{512} << 10;  // one thread's z tile, about an L2 cache

struct ConvTransposeState {
  bool winograd = false;          // Winograd F(2x2, 2x2) per output phase
  bool subpixel = false;          // one indirect GEMM per output phase
  bool patches = false;           // the FC path with patches copied into place
  bool overlap = false;           // the FC path with patches added (col2im)
  bool epilogue = false;          // f32_activation after the FC (not folded into its clamp)
  size_t slots = 1;               // threads, each with an operator and a z tile
  size_t tile_rows = 1;           // input rows per tile
  size_t slot_scratch = 0;        // bytes of one z tile (64-byte multiple)
  xnn_operator_t* xnn = nullptr;  // [slots]
  size_t n_xnn = 0;
  // The packed GEMM instead of xnn: panels of W [KH KW Cout, Cin] (and the
  // bias per tap on the patches path) in the arena's persistent head.
  bool use_packed = false;
  bool packs = false;              // this op fills the region at bind
  size_t packed_offset = 0;        // from the arena start
  const float* packed = nullptr;   // resolved at bind; lives as long as the session
  // The subpixel path: panels [phases] of f32_gemm_packed_floats(Cout, taps
  // Cin) floats each, the phase's rows in tiles of tile_rows. The winograd
  // path: [phases] of winograd::phase_floats(Cout, Cin), bands of tile_rows
  // rows of 2 x 2 tiles.
  size_t phase_floats = 0;
  size_t taps = 0;                 // per phase: (KH / sh) (KW / sw)
  // The winograd path: [phases] windows, their tap blocks pointing into the
  // weight (the model outlives the session, and so its states).
  const winograd::PhaseWindow* windows = nullptr;
};

// The subpixel path works in bands of whole input rows, every phase of a
// band before the next band, so the band's input (read by every phase and
// every panel of columns) stays in L2: bands of about this many input bytes,
// or the whole input when it is at most twice that (then W, read once per
// band, is what matters).
constexpr size_t kPhaseBandBytes = size_t{256} << 10;

// The taps of phase p (row phase py = p / sw, column phase px = p % sw) of
// the subpixel path, in (a, e) order: kernel row a serves output rows
// oy = sh i - pad_top + a, so oy = sh Y + py takes a = (py + pad_top) mod sh
// + sh u and input row i = Y + di, di = (py + pad_top - a) / sh.
struct PhaseTap {
  size_t a, e;         // kernel position
  ptrdiff_t di, dj;    // input pixel offset from (Y, X)
};
size_t phase_taps(const fb::Conv2DOptions& o, size_t kh, size_t kw, size_t p, PhaseTap* taps) {
  const ptrdiff_t sh = o.stride_h(), sw = o.stride_w();
  const ptrdiff_t py = static_cast<ptrdiff_t>(p) / sw, px = static_cast<ptrdiff_t>(p) % sw;
  size_t n = 0;
  for (ptrdiff_t a = (py + o.pad_top()) % sh; a < static_cast<ptrdiff_t>(kh); a += sh) {
    for (ptrdiff_t e = (px + o.pad_left()) % sw; e < static_cast<ptrdiff_t>(kw); e += sw) {
      taps[n++] = {static_cast<size_t>(a), static_cast<size_t>(e), (py + o.pad_top() - a) / sh,
                   (px + o.pad_left() - e) / sw};
    }
  }
  return n;
}

// KH KW bound of the subpixel path (its tap tables live on the stack; larger
// kernels take the other paths).
constexpr size_t kMaxPhaseTaps = 64;

Status verify_options(const fb::Conv2DOptions& o) {
  EA_ENSURE(o.groups() == 1, StatusCode::kUnsupported, "groups %d (transposed convolution takes 1)", o.groups());
  return image_util::verify_conv_options(o);
}

Status verify(const Model& model, const fb::Op& op) {
  EA_RETURN_IF_ERROR(op_check::arity(op, 2, 3, 1));
  EA_RETURN_IF_ERROR(op_check::options(op, static_cast<uint8_t>(fb::OpOptions::Conv2DOptions), true));
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  EA_RETURN_IF_ERROR(verify_options(o));
  int64_t cin = 0, cout = 0;
  EA_RETURN_IF_ERROR(image_util::nhwc_pair(model, input(op, 0), output(op, 0), &cin, &cout));
  const int64_t w_shape[4] = {-1, -1, cout, cin};
  EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 1), DType::kF32, 4, w_shape));
  const TensorInfo& w = model.tensor(input(op, 1));
  EA_ENSURE(w.shape[0] >= 1 && w.shape[0] <= kMaxWindow && w.shape[1] >= 1 && w.shape[1] <= kMaxWindow,
            StatusCode::kInvalidModel, "weight '%s': kernel %lldx%lld not in [1, %d]", w.name,
            static_cast<long long>(w.shape[0]), static_cast<long long>(w.shape[1]), kMaxWindow);
  if (input(op, 2) >= 0) EA_RETURN_IF_ERROR(op_check::constant(model, input(op, 2), DType::kF32, 1, &cout));
  const int64_t span_h = int64_t{o.dilation_h()} * (w.shape[0] - 1) + 1;
  const int64_t span_w = int64_t{o.dilation_w()} * (w.shape[1] - 1) + 1;
  EA_RETURN_IF_ERROR(image_util::check_transposed_dim(model, input(op, 0), output(op, 0), 1,
                                                      int64_t{o.pad_top()} + o.pad_bottom(), span_h, o.stride_h()));
  return image_util::check_transposed_dim(model, input(op, 0), output(op, 0), 2,
                                          int64_t{o.pad_left()} + o.pad_right(), span_w, o.stride_w());
}

// The FC operators of the patches path: W [KH KW Cout, Cin], the bias per tap.
// Without bias for the overlap path (added once per output pixel there).
Status create_patch_operators(PrepareContext& ctx, const fb::Op& op, size_t n, size_t cin, size_t cout, float lo,
                              float hi, bool no_bias, ConvTransposeState* s) {
  EA_ASSIGN_OR_RETURN(void* ops, ctx.states->allocate(s->slots * sizeof(xnn_operator_t)));
  s->xnn = static_cast<xnn_operator_t*>(ops);
  float* bias = nullptr;  // [KH, KW, Cout]; XNNPACK packs a copy at create
  if (input(op, 2) >= 0 && !no_bias) {
    EA_ASSIGN_OR_RETURN(void* bytes, ctx.states->allocate(n * sizeof(float)));
    bias = static_cast<float*>(bytes);
    const float* b = static_cast<const float*>(ctx.model->tensor(input(op, 2)).data);
    for (size_t i = 0; i < n; ++i) bias[i] = b[i % cout];
  }
  const float* w = static_cast<const float*>(ctx.model->tensor(input(op, 1)).data);
  for (size_t i = 0; i < s->slots; ++i) {
    const xnn_status st = xnn_create_fully_connected_nc_f32(cin, n, cin, n, w, bias, lo, hi, 0, &s->xnn[i]);
    EA_ENSURE(st != xnn_status_out_of_memory, StatusCode::kOutOfMemory, "out of memory in xnn_create_fully_connected_nc_f32");
    EA_ENSURE(st == xnn_status_success, StatusCode::kInternal, "xnn_create_fully_connected_nc_f32 (%zux%zu) failed: %d", n,
              cin, static_cast<int>(st));
    s->n_xnn = i + 1;
  }
  return Status::ok();
}

// Input rows per band of the subpixel path (see kPhaseBandBytes), at most a
// thread's share.
size_t band_rows(size_t image_rows, size_t in_w, size_t cin, size_t slots) {
  const size_t row_bytes = std::max<size_t>(1, in_w * cin * sizeof(float));
  size_t rows = image_rows * row_bytes <= 2 * kPhaseBandBytes ? image_rows : kPhaseBandBytes / row_bytes;
  rows = std::min(rows, (image_rows + slots - 1) / slots);
  return std::max<size_t>(1, rows);
}

// The subpixel path: the panels of every phase (shared by ops with the same
// weight and bias) and per thread a tile's row pointers, plus a zero row.
Status prepare_subpixel(PrepareContext& ctx, const fb::Op& op, OpRecord* record, ConvTransposeState* s) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const size_t kh = static_cast<size_t>(wt.shape[0]), kw = static_cast<size_t>(wt.shape[1]);
  const size_t cout = static_cast<size_t>(wt.shape[2]), cin = static_cast<size_t>(wt.shape[3]);
  const size_t image_rows = static_cast<size_t>(xt.dim(0, ctx.max_dims) * xt.dim(1, ctx.max_dims));
  const size_t in_w = static_cast<size_t>(xt.dim(2, ctx.max_dims));
  const size_t phases = static_cast<size_t>(o.stride_h()) * static_cast<size_t>(o.stride_w());
  s->subpixel = true;
  s->use_packed = true;
  s->taps = (kh / static_cast<size_t>(o.stride_h())) * (kw / static_cast<size_t>(o.stride_w()));
  s->slots = ctx.threads;
  s->tile_rows = band_rows(image_rows, in_w, cin, s->slots);  // input rows per band, in_w pixels each
  // [slots] x (row pointers [band pixels, taps] + outputs [band pixels]), then a zero row [Cin].
  s->slot_scratch = (s->tile_rows * in_w * (s->taps + 1) * sizeof(void*) + 63) / 64 * 64;
  record->scratch_bytes = s->slots * s->slot_scratch + (cin * sizeof(float) + 63) / 64 * 64;
  s->phase_floats = f32_gemm_packed_floats(cout, s->taps * cin);
  EA_ASSIGN_OR_RETURN(s->packed_offset, ctx.request_shared_persistent(
                                            "conv_transpose_phases", op_util::packed_weight_key(op, true),
                                            phases * s->phase_floats * sizeof(float), &s->packs,
                                            PersistentKind::kPackedWeights));
  return Status::ok();
}

// Phase p's taps as a 2 x 2 window (the winograd path: 2 x 2 taps, their
// offsets di, dj two consecutive values each).
winograd::PhaseWindow phase_window(const fb::Conv2DOptions& o, const float* w, size_t kh, size_t kw, size_t cout,
                                   size_t cin, size_t p) {
  PhaseTap taps[kMaxPhaseTaps];
  const size_t n = phase_taps(o, kh, kw, p, taps);
  winograd::PhaseWindow win;
  win.di0 = taps[0].di, win.dj0 = taps[0].dj;
  for (size_t t = 1; t < n; ++t) win.di0 = std::min(win.di0, taps[t].di), win.dj0 = std::min(win.dj0, taps[t].dj);
  for (size_t t = 0; t < n; ++t) {
    const size_t u = static_cast<size_t>(taps[t].di - win.di0), v = static_cast<size_t>(taps[t].dj - win.dj0);
    win.g[u][v] = w + (taps[t].a * kw + taps[t].e) * cout * cin;  // [Cout, Cin]
  }
  return win;
}

// The winograd path (conv_transpose_winograd.h): bands of about this many
// scratch bytes (V and M of their tiles). Larger bands read each phase's
// transformed weights fewer times (DINOv2-S's upconv1: 3.5 MB per phase);
// smaller ones keep V and M nearer. DINOv2-S's three up-convolutions, 1
// thread, AMD EPYC Zen 4 (1 MB L2, 32 MB L3): 320 KB 18.7 ms, 640 KB 18.8,
// 1.25 MB 18.3, 2 MB 17.4, 4 MB 18.1 (subpixel path: 26.8).
constexpr size_t kWinogradBandBytes = size_t{2048} << 10;

// The transformed weights of every phase (shared by ops with the same
// weight and bias), per thread a band's V, M and spare rows, and a zero row.
Status prepare_winograd(PrepareContext& ctx, const fb::Op& op, OpRecord* record, ConvTransposeState* s) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const size_t cout = static_cast<size_t>(wt.shape[2]), cin = static_cast<size_t>(wt.shape[3]);
  const size_t tile_rows = static_cast<size_t>(xt.dim(0, ctx.max_dims) * ((xt.dim(1, ctx.max_dims) + 1) / 2));
  const size_t tw = static_cast<size_t>((xt.dim(2, ctx.max_dims) + 1) / 2);
  s->winograd = true;
  s->use_packed = true;
  s->slots = ctx.threads;
  const size_t row_bytes = winograd::band_floats(tw, cin, cout) * sizeof(float);
  s->tile_rows = std::max<size_t>(1, std::min(kWinogradBandBytes / row_bytes, (tile_rows + s->slots - 1) / s->slots));
  s->slot_scratch = (winograd::band_floats(s->tile_rows * tw, cin, cout) * sizeof(float) + 63) / 64 * 64;
  record->scratch_bytes = s->slots * s->slot_scratch + (cin * sizeof(float) + 63) / 64 * 64;
  s->phase_floats = winograd::phase_floats(cout, cin);
  const size_t phases = static_cast<size_t>(o.stride_h()) * static_cast<size_t>(o.stride_w());
  EA_ASSIGN_OR_RETURN(void* bytes, ctx.states->allocate(phases * sizeof(winograd::PhaseWindow)));
  winograd::PhaseWindow* windows = static_cast<winograd::PhaseWindow*>(bytes);
  const size_t kh = static_cast<size_t>(wt.shape[0]), kw = static_cast<size_t>(wt.shape[1]);
  for (size_t p = 0; p < phases; ++p) {
    new (windows + p) winograd::PhaseWindow(phase_window(o, static_cast<const float*>(wt.data), kh, kw, cout, cin, p));
  }
  s->windows = windows;
  EA_ASSIGN_OR_RETURN(s->packed_offset, ctx.request_shared_persistent(
                                            "conv_transpose_winograd", op_util::packed_weight_key(op, true),
                                            phases * s->phase_floats * sizeof(float), &s->packs,
                                            PersistentKind::kPackedWeights));
  return Status::ok();
}

// The phase paths write output (sh Y + py, sw X + px) for every input pixel
// (Y, X): the output must be exactly stride times the input (always so on
// image dims; fixed dims may add rows, e.g. k4 s2 pad 0).
bool output_is_stride_times_input(const PrepareContext& ctx, const fb::Op& op) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& yt = ctx.model->tensor(output(op, 0));
  return yt.dim(1, ctx.max_dims) == xt.dim(1, ctx.max_dims) * o.stride_h() &&
         yt.dim(2, ctx.max_dims) == xt.dim(2, ctx.max_dims) * o.stride_w();
}

Status prepare(PrepareContext& ctx, const fb::Op& op, OpRecord* record) {
  EA_ASSIGN_OR_RETURN(ConvTransposeState* const s, ctx.make_state<ConvTransposeState>(record));
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  const size_t kh = static_cast<size_t>(wt.shape[0]), kw = static_cast<size_t>(wt.shape[1]);
  const ActivationParams ep = image_util::conv_epilogue(&o);
  s->epilogue = !image_util::is_identity(ep);
  const bool xnn_table = ctx.kernels->f32_gemm == nullptr;
  const bool phases = o.dilation_h() == 1 && o.dilation_w() == 1 && kh % static_cast<size_t>(o.stride_h()) == 0 &&
                      kw % static_cast<size_t>(o.stride_w()) == 0 && output_is_stride_times_input(ctx, op);
  if (phases && ctx.kernels->f32_gemm_packed != nullptr && ctx.kernels->f32_gemm_nr != 0 &&
      kh == 2 * static_cast<size_t>(o.stride_h()) && kw == 2 * static_cast<size_t>(o.stride_w())) {
    return prepare_winograd(ctx, op, record, s);
  }
  if (phases && ctx.kernels->f32_igemm_packed != nullptr && ctx.kernels->f32_gemm_nr != 0 &&
      kh * kw <= kMaxPhaseTaps) {
    return prepare_subpixel(ctx, op, record, s);
  }
  s->patches = xnn_table && kh == static_cast<size_t>(o.stride_h()) && kw == static_cast<size_t>(o.stride_w()) &&
               o.dilation_h() == 1 && o.dilation_w() == 1 && o.pad_top() == 0 && o.pad_left() == 0 &&
               o.pad_bottom() == 0 && o.pad_right() == 0;
  // Waves of even and odd tiles stay apart when a tile of one input row
  // reaches no further than the next tile's rows: span <= 2 stride.
  const int64_t span_h = int64_t{o.dilation_h()} * static_cast<int64_t>(kh - 1) + 1;
  s->overlap = xnn_table && !s->patches && span_h <= 2 * int64_t{o.stride_h()};
  if (!s->patches && !s->overlap) return Status::ok();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const size_t in_w = static_cast<size_t>(xt.dim(2, ctx.max_dims)), cin = static_cast<size_t>(wt.shape[3]);
  const size_t cout = static_cast<size_t>(wt.shape[2]), n = kh * kw * cout;
  const size_t rows = static_cast<size_t>(xt.dim(0, ctx.max_dims) * xt.dim(1, ctx.max_dims));
  s->slots = ctx.threads;
  s->tile_rows = std::max<size_t>(1, std::min(rows, kTileBytes / std::max<size_t>(1, in_w * n * sizeof(float))));
  s->slot_scratch = (s->tile_rows * in_w * n * sizeof(float) + 63) / 64 * 64;
  record->scratch_bytes = s->slots * s->slot_scratch;  // [slots] z tiles [tile_rows * W, KH * KW * Cout]
  if (ctx.kernels->f32_gemm_packed != nullptr && ctx.kernels->f32_gemm_nr != 0) {
    s->use_packed = true;
    const bool bias = s->patches && input(op, 2) >= 0;
    const size_t bytes = f32_gemm_packed_floats(n, cin) * sizeof(float);
    EA_ASSIGN_OR_RETURN(s->packed_offset, ctx.request_shared_persistent("conv_transpose_packed",
                                                                        op_util::packed_weight_key(op, bias), bytes,
                                                                        &s->packs,
                                                                        PersistentKind::kPackedWeights));
    return Status::ok();
  }
  if (!ctx.create_operators) return Status::ok();
  float lo = -INFINITY, hi = INFINITY;
  if (s->patches && image_util::xnnpack_clamp(ep, &lo, &hi)) s->epilogue = false;
  return create_patch_operators(ctx, op, n, cin, cout, lo, hi, s->overlap, s);
}

// Each phase's panels: W [Cout, taps Cin] as runs, tap t's run the weight
// block [a_t, e_t] ([Cout, Cin]), and the bias.
void pack_phases(const BindContext& ctx, const fb::Op& op, const ConvTransposeState& s, float* packed) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  const size_t kh = static_cast<size_t>(wt.shape[0]), kw = static_cast<size_t>(wt.shape[1]);
  const size_t cout = static_cast<size_t>(wt.shape[2]), cin = static_cast<size_t>(wt.shape[3]);
  const float* w = static_cast<const float*>(wt.data);  // [KH, KW, Cout, Cin]
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(ctx.model->tensor(input(op, 2)).data) : nullptr;
  PhaseTap taps[kMaxPhaseTaps];
  const float* runs[kMaxPhaseTaps];
  const size_t phases = static_cast<size_t>(o.stride_h()) * static_cast<size_t>(o.stride_w());
  for (size_t p = 0; p < phases; ++p) {
    const size_t n = phase_taps(o, kh, kw, p, taps);
    for (size_t t = 0; t < n; ++t) runs[t] = w + (taps[t].a * kw + taps[t].e) * cout * cin;
    f32_gemm_pack_runs(cout, n, cin, runs, cin, bias, packed + p * s.phase_floats);
  }
}

void pack_winograd(const BindContext& ctx, const fb::Op& op, const ConvTransposeState& s, float* packed) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  const size_t cout = static_cast<size_t>(wt.shape[2]), cin = static_cast<size_t>(wt.shape[3]);
  const float* bias = input(op, 2) >= 0 ? static_cast<const float*>(ctx.model->tensor(input(op, 2)).data) : nullptr;
  const size_t phases = static_cast<size_t>(o.stride_h()) * static_cast<size_t>(o.stride_w());
  for (size_t p = 0; p < phases; ++p) {
    winograd::pack_phase(s.windows[p], cout, cin, bias, packed + p * s.phase_floats);
  }
}

// The packed path: W [KH KW Cout, Cin] into panels, then on the patches
// path each panel's bias slots get the bias of their tap's channel.
void bind(const BindContext& ctx, const fb::Op& op, OpRecord& record) {
  ConvTransposeState& s = *static_cast<ConvTransposeState*>(record.state);
  if (!s.use_packed) return;
  float* packed = reinterpret_cast<float*>(ctx.persistent(s.packed_offset));
  s.packed = packed;
  if (!s.packs) return;
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  const size_t cout = static_cast<size_t>(wt.shape[2]), cin = static_cast<size_t>(wt.shape[3]);
  if (s.winograd) return pack_winograd(ctx, op, s, packed);
  if (s.subpixel) return pack_phases(ctx, op, s, packed);
  const size_t n = static_cast<size_t>(wt.shape[0] * wt.shape[1]) * cout, nr = kF32GemmPanel;
  f32_gemm_pack(n, cin, static_cast<const float*>(wt.data), nullptr, packed);
  if (!s.patches || input(op, 2) < 0) return;
  const float* b = static_cast<const float*>(ctx.model->tensor(input(op, 2)).data);  // [Cout]
  for (size_t c = 0; c < n; ++c) packed[c / nr * f32_gemm_panel_floats(cin) + c % nr] = b[c % cout];
}

void release(OpRecord& record) {
  if (record.state == nullptr) return;
  ConvTransposeState& s = *static_cast<ConvTransposeState*>(record.state);
  for (size_t i = 0; i < s.n_xnn; ++i) xnn_delete_operator(s.xnn[i]);
  s.n_xnn = 0;
}

// z [m, n] = x [m, k] · Wᵀ (+ the per-tap bias on the patches path), on the
// calling thread: the packed GEMM, or the slot's XNNPACK operator. False
// when XNNPACK fails.
bool tile_gemm(const KernelTable* kernels, const ConvTransposeState& s, size_t slot, size_t m, size_t n, size_t k,
               const float* x, float* z) {
  if (s.use_packed) {
    kernels->f32_gemm_packed(m, n, k, x, k, s.packed, z, n);
    return true;
  }
  return xnn_setup_fully_connected_nc_f32(s.xnn[slot], m, x, z, nullptr) == xnn_status_success &&
         xnn_run_operator(s.xnn[slot], nullptr) == xnn_status_success;
}

// What every FC-based path's invoke needs: the op's state, tensors, sizes
// and options (filled once by make_job).
struct Job {
  const KernelTable* kernels;
  const ConvTransposeState* s;
  uint8_t* scratch;
  const float* x;  // [B, H, W, Cin]
  float* y;        // [B, Ho, Wo, Cout]
  size_t batch, in_h, in_w, cin, out_h, out_w, cout, kh, kw;
  size_t stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  ActivationParams ep;
};

void make_job(const EvalContext& ctx, const fb::Op& op, const OpRecord& record, Job* j) {
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& yt = ctx.model->tensor(output(op, 0));
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  j->kernels = ctx.kernels, j->s = &state_of<ConvTransposeState>(record), j->scratch = record.scratch;
  j->x = ctx.f32(input(op, 0));
  j->y = ctx.f32(output(op, 0));
  j->batch = static_cast<size_t>(xt.dim(0, ctx.dims));
  j->in_h = static_cast<size_t>(xt.dim(1, ctx.dims));
  j->in_w = static_cast<size_t>(xt.dim(2, ctx.dims));
  j->cin = static_cast<size_t>(xt.dim(3, ctx.dims));
  j->out_h = static_cast<size_t>(yt.dim(1, ctx.dims));
  j->out_w = static_cast<size_t>(yt.dim(2, ctx.dims));
  j->cout = static_cast<size_t>(yt.dim(3, ctx.dims));
  j->kh = static_cast<size_t>(wt.shape[0]), j->kw = static_cast<size_t>(wt.shape[1]);
  j->stride_h = static_cast<size_t>(o.stride_h()), j->stride_w = static_cast<size_t>(o.stride_w());
  j->dilation_h = static_cast<size_t>(o.dilation_h()), j->dilation_w = static_cast<size_t>(o.dilation_w());
  j->pad_top = static_cast<size_t>(o.pad_top()), j->pad_left = static_cast<size_t>(o.pad_left());
  j->ep = image_util::conv_epilogue(&o);
}

// One invoke of the patches path over the flattened [B * H] input rows
// (y [B, H KH, W KW, Cout]).
struct PatchJob : Job {
  size_t rows, tile_rows;
};

// Tile t, input rows [r0, r0 + n): z = x · Wᵀ + bias, z's rows copied into
// their KH x KW output patches, then the epilogue over those output rows.
// False when XNNPACK fails.
bool run_patch_tile(void* context, size_t slot, size_t t) {
  const PatchJob& j = *static_cast<const PatchJob*>(context);
  const size_t r0 = t * j.tile_rows, n = std::min(j.tile_rows, j.rows - r0);
  float* z = reinterpret_cast<float*>(j.scratch + slot * j.s->slot_scratch);  // [n W, KH KW Cout]
  if (!tile_gemm(j.kernels, *j.s, slot, n * j.in_w, j.kh * j.kw * j.cout, j.cin, j.x + r0 * j.in_w * j.cin, z)) {
    return false;
  }
  const size_t zn = j.kh * j.kw * j.cout, out_w = j.in_w * j.kw, patch_row = j.kw * j.cout;
  for (size_t r = 0; r < n; ++r) {
    for (size_t a = 0; a < j.kh; ++a) {
      float* dst = j.y + ((r0 + r) * j.kh + a) * out_w * j.cout;  // output row (r0 + r) KH + a
      const float* src = z + r * j.in_w * zn + a * patch_row;
      for (size_t c = 0; c < j.in_w; ++c) std::memcpy(dst + c * patch_row, src + c * zn, patch_row * sizeof(float));
    }
  }
  if (j.s->epilogue) {
    float* y0 = j.y + r0 * j.kh * out_w * j.cout;
    j.kernels->f32_activation(n * j.kh * out_w * j.cout, y0, y0, j.ep);
  }
  return true;
}

Status eval_patches(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const ConvTransposeState& s = state_of<ConvTransposeState>(record);
  PatchJob j;
  make_job(ctx, op, record, &j);
  j.rows = j.batch * j.in_h;
  pthreadpool* const pool = ctx.pool_for(j.rows * j.in_w * j.cin * j.kh * j.kw * j.cout);
  const size_t slots = std::min(s.slots, parallel::threads(pool));
  // About 4 tiles per thread when the image is small (balance).
  j.tile_rows = std::min(s.tile_rows, std::max<size_t>(1, (j.rows + 4 * slots - 1) / (4 * slots)));
  const size_t tiles = (j.rows + j.tile_rows - 1) / j.tile_rows;
  EA_ENSURE(parallel::for_tiles(pool, slots, run_patch_tile, &j, tiles), StatusCode::kInternal,
            "XNNPACK fully connected failed in a transposed convolution tile");
  return Status::ok();
}

// One invoke of the overlap path: tiles of the flattened [B * H] input rows.
struct OverlapJob : Job {
  const float* bias;  // [Cout] or nullptr
  size_t rows, tile_rows, wave;
};

// Tile 2 t + wave: z = x · Wᵀ for its input rows, each pixel's KH x KW patch
// added into the output. False when XNNPACK fails.
bool run_overlap_tile(void* context, size_t slot, size_t t) {
  const OverlapJob& j = *static_cast<const OverlapJob*>(context);
  const size_t r0 = (2 * t + j.wave) * j.tile_rows, n = std::min(j.tile_rows, j.rows - r0);
  float* z = reinterpret_cast<float*>(j.scratch + slot * j.s->slot_scratch);  // [n W, KH KW Cout]
  if (!tile_gemm(j.kernels, *j.s, slot, n * j.in_w, j.kh * j.kw * j.cout, j.cin, j.x + r0 * j.in_w * j.cin, z)) {
    return false;
  }
  const size_t zn = j.kh * j.kw * j.cout;
  for (size_t r = 0; r < n; ++r) {
    const size_t b = (r0 + r) / j.in_h, ih = (r0 + r) % j.in_h;
    float* image = j.y + b * j.out_h * j.out_w * j.cout;
    for (size_t a = 0; a < j.kh; ++a) {
      const size_t oh = ih * j.stride_h + a * j.dilation_h;  // + pad_top
      if (oh < j.pad_top || oh - j.pad_top >= j.out_h) continue;
      float* out_row = image + (oh - j.pad_top) * j.out_w * j.cout;
      for (size_t c = 0; c < j.in_w; ++c) {
        const float* patch = z + (r * j.in_w + c) * zn + a * j.kw * j.cout;  // [KW, Cout]
        for (size_t e = 0; e < j.kw; ++e) {
          const size_t ow = c * j.stride_w + e * j.dilation_w;
          if (ow < j.pad_left || ow - j.pad_left >= j.out_w) continue;
          float* dst = out_row + (ow - j.pad_left) * j.cout;
          const float* src = patch + e * j.cout;
          for (size_t k = 0; k < j.cout; ++k) dst[k] += src[k];
        }
      }
    }
  }
  return true;
}

// Output rows [r0, r0 + n) of the flattened [B * Ho] start as the bias.
void init_overlap_rows(void* context, size_t r0, size_t n) {
  const OverlapJob& j = *static_cast<const OverlapJob*>(context);
  float* y = j.y + r0 * j.out_w * j.cout;
  if (j.bias == nullptr) {
    std::memset(y, 0, n * j.out_w * j.cout * sizeof(float));
    return;
  }
  for (size_t p = 0; p < n * j.out_w; ++p) std::memcpy(y + p * j.cout, j.bias, j.cout * sizeof(float));
}

void activate_overlap_rows(void* context, size_t r0, size_t n) {
  const OverlapJob& j = *static_cast<const OverlapJob*>(context);
  float* y = j.y + r0 * j.out_w * j.cout;
  j.kernels->f32_activation(n * j.out_w * j.cout, y, y, j.ep);
}

Status eval_overlap(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const ConvTransposeState& s = state_of<ConvTransposeState>(record);
  OverlapJob j;
  make_job(ctx, op, record, &j);
  j.bias = input(op, 2) >= 0 ? ctx.f32(input(op, 2)) : nullptr;
  j.rows = j.batch * j.in_h;
  pthreadpool* const pool = ctx.pool_for(j.rows * j.in_w * j.cin * j.kh * j.kw * j.cout);
  const size_t slots = std::min(s.slots, parallel::threads(pool));
  const size_t out_rows = j.batch * j.out_h, row_tile = std::max<size_t>(1, out_rows / (4 * slots));
  parallel::for_1d_tile(pool, init_overlap_rows, &j, out_rows, row_tile);
  j.tile_rows = std::min(s.tile_rows, std::max<size_t>(1, (j.rows + 4 * slots - 1) / (4 * slots)));
  const size_t tiles = (j.rows + j.tile_rows - 1) / j.tile_rows;
  for (j.wave = 0; j.wave < 2; ++j.wave) {
    EA_ENSURE(parallel::for_tiles(pool, slots, run_overlap_tile, &j, (tiles + 1 - j.wave) / 2), StatusCode::kInternal,
              "XNNPACK fully connected failed in a transposed convolution tile");
  }
  if (s.epilogue) parallel::for_1d_tile(pool, activate_overlap_rows, &j, out_rows, row_tile);
  return Status::ok();
}

// The phase paths' row of Cin zeros (the input past the border), after the
// threads' scratch.
const float* zero_row(const OpRecord& record, const ConvTransposeState& s, size_t cin) {
  float* zero = reinterpret_cast<float*>(record.scratch + s.slots * s.slot_scratch);
  std::memset(zero, 0, cin * sizeof(float));
  return zero;
}

// One invoke of the subpixel path: tasks = phases x tiles of their rows.
struct PhaseJob : Job {
  const float* zero;              // [Cin] zeros: the input past the border
  size_t rows, tile_rows;         // rows: input pixels
  PhaseTap taps[kMaxPhaseTaps];  // [phases, taps]: KH KW in all
};

// Band t: input rows [t tile_rows, ...) of the flattened [B H], every phase
// p: each input pixel (b, Y, X) gives output (b, sh Y + py, sw X + px), its
// inputs the pixels under p's taps. The band's output rows are then
// contiguous ([rows sh, Wo, Cout]) for the epilogue.
bool run_phase_band(void* context, size_t slot, size_t t) {
  const PhaseJob& j = *static_cast<const PhaseJob*>(context);
  const size_t r0 = t * j.tile_rows * j.in_w, n = std::min(j.tile_rows * j.in_w, j.rows - r0);
  const size_t taps = j.s->taps;
  uint8_t* const mine = j.scratch + slot * j.s->slot_scratch;
  const float** a = reinterpret_cast<const float**>(mine);                   // [n, taps]
  float** y = reinterpret_cast<float**>(mine + n * taps * sizeof(void*));  // [n]
  for (size_t p = 0; p < j.stride_h * j.stride_w; ++p) {
    const size_t py = p / j.stride_w, px = p % j.stride_w;
    for (size_t r = 0; r < n; ++r) {
      const size_t pix = r0 + r, xx = pix % j.in_w, yy = pix / j.in_w % j.in_h, b = pix / (j.in_w * j.in_h);
      for (size_t k = 0; k < taps; ++k) {
        const PhaseTap& tap = j.taps[p * taps + k];
        const size_t iy = yy + static_cast<size_t>(tap.di), ix = xx + static_cast<size_t>(tap.dj);  // wraps when < 0
        a[r * taps + k] = iy < j.in_h && ix < j.in_w ? j.x + ((b * j.in_h + iy) * j.in_w + ix) * j.cin : j.zero;
      }
      y[r] = j.y + ((b * j.out_h + j.stride_h * yy + py) * j.out_w + j.stride_w * xx + px) * j.cout;
    }
    j.kernels->f32_igemm_packed(n, j.cout, taps, j.cin, a, j.s->packed + p * j.s->phase_floats, y);
  }
  if (j.s->epilogue) {
    float* out = j.y + r0 / j.in_w * j.stride_h * j.out_w * j.cout;
    j.kernels->f32_activation(n * j.stride_h * j.stride_w * j.cout, out, out, j.ep);
  }
  return true;
}

Status eval_subpixel(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const ConvTransposeState& s = state_of<ConvTransposeState>(record);
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  PhaseJob j;
  make_job(ctx, op, record, &j);
  j.rows = j.batch * j.in_h * j.in_w;
  j.zero = zero_row(record, s, j.cin);
  const size_t phases = j.stride_h * j.stride_w;
  for (size_t p = 0; p < phases; ++p) phase_taps(o, j.kh, j.kw, p, j.taps + p * s.taps);
  pthreadpool* const pool = ctx.pool_for(j.rows * phases * s.taps * j.cin * j.cout);
  const size_t slots = std::min(s.slots, parallel::threads(pool));
  const size_t image_rows = j.rows / j.in_w;
  j.tile_rows = std::min(s.tile_rows, band_rows(image_rows, j.in_w, j.cin, slots));
  parallel::for_tiles(pool, slots, run_phase_band, &j, (image_rows + j.tile_rows - 1) / j.tile_rows);
  return Status::ok();
}

// One invoke of the winograd path: tasks = bands of tile rows.
struct WinogradJob : Job {
  const float* zero;       // [Cin] zeros
  size_t band_rows;        // tile rows per band
  size_t total_tile_rows;  // B ceil(H / 2)
};

// Band t, every phase; then the epilogue over the band's output rows (the
// flattened [B Ho] rows from its first tile row's to its last's).
bool run_winograd_band(void* context, size_t slot, size_t t) {
  const WinogradJob& j = *static_cast<const WinogradJob*>(context);
  winograd::Band band;
  band.kernels = j.kernels, band.x = j.x, band.zero = j.zero, band.y = j.y;
  band.in_h = j.in_h, band.in_w = j.in_w, band.cin = j.cin, band.cout = j.cout;
  band.stride_h = j.stride_h, band.stride_w = j.stride_w;
  band.row0 = t * j.band_rows, band.rows = std::min(j.band_rows, j.total_tile_rows - band.row0);
  band.scratch = reinterpret_cast<float*>(j.scratch + slot * j.s->slot_scratch);
  for (size_t p = 0; p < j.stride_h * j.stride_w; ++p) {
    winograd::run_phase(band, j.s->windows[p], p / j.stride_w, p % j.stride_w, j.s->packed + p * j.s->phase_floats);
  }
  if (j.s->epilogue) {
    const size_t th = (j.in_h + 1) / 2, last = band.row0 + band.rows - 1;
    const size_t first_row = band.row0 / th * j.out_h + j.stride_h * 2 * (band.row0 % th);
    const size_t end_row = last / th * j.out_h + std::min(j.out_h, j.stride_h * 2 * (last % th + 1));
    float* out = j.y + first_row * j.out_w * j.cout;
    j.kernels->f32_activation((end_row - first_row) * j.out_w * j.cout, out, out, j.ep);
  }
  return true;
}

Status eval_winograd(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  const ConvTransposeState& s = state_of<ConvTransposeState>(record);
  WinogradJob j;
  make_job(ctx, op, record, &j);
  j.zero = zero_row(record, s, j.cin);
  j.total_tile_rows = j.batch * ((j.in_h + 1) / 2);
  pthreadpool* const pool = ctx.pool_for(j.batch * j.in_h * j.in_w * j.kh * j.kw * j.cin * j.cout);
  const size_t slots = std::min(s.slots, parallel::threads(pool));
  j.band_rows = std::min(s.tile_rows, (j.total_tile_rows + slots - 1) / slots);
  parallel::for_tiles(pool, slots, run_winograd_band, &j, (j.total_tile_rows + j.band_rows - 1) / j.band_rows);
  return Status::ok();
}

Status eval(const EvalContext& ctx, const fb::Op& op, const OpRecord& record) {
  if (state_of<ConvTransposeState>(record).winograd) return eval_winograd(ctx, op, record);
  if (state_of<ConvTransposeState>(record).subpixel) return eval_subpixel(ctx, op, record);
  if (state_of<ConvTransposeState>(record).patches) return eval_patches(ctx, op, record);
  if (state_of<ConvTransposeState>(record).overlap) return eval_overlap(ctx, op, record);
  const fb::Conv2DOptions& o = *op.options_as_Conv2DOptions();
  const TensorInfo& xt = ctx.model->tensor(input(op, 0));
  const TensorInfo& yt = ctx.model->tensor(output(op, 0));
  const TensorInfo& wt = ctx.model->tensor(input(op, 1));
  ConvTransposeArgs a;
  a.w = ctx.f32(input(op, 1));  // [KH, KW, Cout, Cin]
  a.bias = input(op, 2) >= 0 ? ctx.f32(input(op, 2)) : nullptr;
  a.in_h = static_cast<size_t>(xt.dim(1, ctx.dims));
  a.in_w = static_cast<size_t>(xt.dim(2, ctx.dims));
  a.cin = static_cast<size_t>(xt.dim(3, ctx.dims));
  a.out_h = static_cast<size_t>(yt.dim(1, ctx.dims));
  a.out_w = static_cast<size_t>(yt.dim(2, ctx.dims));
  a.cout = static_cast<size_t>(yt.dim(3, ctx.dims));
  a.kh = static_cast<size_t>(wt.shape[0]);
  a.kw = static_cast<size_t>(wt.shape[1]);
  a.stride_h = static_cast<size_t>(o.stride_h());
  a.stride_w = static_cast<size_t>(o.stride_w());
  a.dilation_h = static_cast<size_t>(o.dilation_h());
  a.dilation_w = static_cast<size_t>(o.dilation_w());
  a.pad_top = static_cast<size_t>(o.pad_top());
  a.pad_left = static_cast<size_t>(o.pad_left());
  const size_t batch = static_cast<size_t>(xt.dim(0, ctx.dims));
  const float* x = ctx.f32(input(op, 0));  // [B, H, W, Cin]
  float* y = ctx.f32(output(op, 0));        // [B, Ho, Wo, Cout]
  for (size_t b = 0; b < batch; ++b) {
    a.x = x + b * a.in_h * a.in_w * a.cin;
    a.y = y + b * a.out_h * a.out_w * a.cout;
    ctx.kernels->f32_conv_transpose2d(a);
  }
  const ActivationParams ep = image_util::conv_epilogue(&o);
  if (!image_util::is_identity(ep)) ctx.kernels->f32_activation(batch * a.out_h * a.out_w * a.cout, y, y, ep);
  return Status::ok();
}

}  // namespace

extern const OpRegistration kConvTranspose2DOp = {"ConvTranspose2D", verify, prepare, bind, eval, release};

}  // namespace edgeattn
