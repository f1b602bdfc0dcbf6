// CPU feature detection and kernel table selection.
//
// Detection is done here rather than through cpuinfo so that kernels/ depends
// on nothing but edgeattn_core:
//   x86-64: __builtin_cpu_supports (libgcc checks CPUID and that the OS saves
//           YMM state); our AVX2 table needs avx2 + fma + f16c together.
//   aarch64 Linux: getauxval(AT_HWCAP) ASIMD / ASIMDHP / ASIMDDP.
//   armv7 Linux: getauxval(AT_HWCAP) NEON.
// Each ISA table is compiled only when its sources are in the build
// (EDGEATTN_KERNELS_HAVE_AVX2 / _NEON / _NEONDOT, set by
// kernels/CMakeLists.txt), and handed out only when the host supports it.
// "neon_dotprod" is the NEON table with the SDOT int8 GEMM; it is listed
// after "neon" so tests check both on a dotprod host. "neon_fp16" (fp16
// arithmetic + dot product) has the same kernels; its kKernelCapFp16Arithmetic
// makes fp16-weight fully connected layers use XNNPACK's f16 GEMM.
// Each table's capabilities are exactly the CPU features select_kernels()
// and compiled_kernel_tables() require for it.
#include "kernels/kernels.h"

#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
#include "kernels/reference/reference.h"
#include "kernels/scalar/scalar.h"

#if defined(EDGEATTN_KERNELS_HAVE_AVX2)
#include "kernels/x86/avx2.h"
#endif
#if defined(EDGEATTN_KERNELS_HAVE_AVXVNNI) || defined(EDGEATTN_KERNELS_HAVE_AVX512VNNI)
#include "kernels/x86/vnni.h"
#endif
#if defined(EDGEATTN_KERNELS_HAVE_NEON)
#include "kernels/arm/neon.h"
#endif

#if (defined(__aarch64__) || defined(__arm__)) && defined(__linux__)
#include <sys/auxv.h>
#endif

namespace edgeattn {

namespace {

// Sets the block-quantized weight kernels (appended last to KernelTable, so
// the aggregate initializers below leave them null).
constexpr KernelTable with_block_kernels(KernelTable t, decltype(KernelTable::f32_q8b_quantize) quantize,
                                         decltype(KernelTable::q8b_i4bw_gemm) i4_gemm,
                                         decltype(KernelTable::q8b_i8bw_gemm) i8_gemm) {
  t.f32_q8b_quantize = quantize;
  t.q8b_i4bw_gemm = i4_gemm;
  t.q8b_i8bw_gemm = i8_gemm;
  return t;
}

constexpr KernelTable with_reference_block_kernels(KernelTable t) {
  return with_block_kernels(t, f32_q8b_quantize_ukernel__reference, q8b_i4bw_gemm_ukernel__reference,
                            q8b_i8bw_gemm_ukernel__reference);
}

const KernelTable kReferenceTable = with_reference_block_kernels({
    "reference",
    0,
    f32_layernorm_ukernel__reference,
    f32_rmsnorm_ukernel__reference,
    f32_gelu_ukernel__reference,
    f32_silu_mul_ukernel__reference,
    f32_add_ukernel__reference,
    f32_rope_ukernel__reference,
    f32_attention_ukernel__reference,
    f32_l2_normalize_ukernel__reference,
    f32_gelu_tanh_ukernel__reference,
    f32_qd8_quantize_ukernel__reference,
    qd8_qc8w_gemm_ukernel__reference,
    f32_f16w_gemm_ukernel__reference,
    f16_to_f32_rows_ukernel__reference,
    f32_attention_kv_ukernel__reference,
    f32_to_f16_row_ukernel__reference,
    f32_quantize_row_q8_ukernel__reference,
    f32_gemm_ukernel__reference,
    f32_ssru_ukernel__reference,
    f32_qs8_quantize_ukernel__reference,
    f32_activation_ukernel__reference,
    f32_dwconv_ukernel__reference,
    f32_conv_transpose2d_ukernel__reference,
    f32_pool2d_ukernel__reference,
    f32_resize_ukernel__reference,
    f32_softmax_ukernel__reference,
});

// A table that differs from `base` only in its int8 GEMM and capabilities:
// the variants for VNNI (x86) and the dot product (AArch64) speed up that one
// op.
[[maybe_unused]] constexpr KernelTable with_qd8_gemm(const KernelTable& base, const char* name,
                                                     uint32_t capabilities,
                                                     decltype(KernelTable::qd8_qc8w_gemm) gemm) {
  KernelTable t = base;
  t.name = name;
  t.capabilities = capabilities;
  t.qd8_qc8w_gemm = gemm;
  return t;
}

#if defined(EDGEATTN_KERNELS_HAVE_AVX2)
const KernelTable kAvx2Table = with_block_kernels({
    "avx2",
    0,
    f32_layernorm_ukernel__avx2,
    f32_rmsnorm_ukernel__avx2,
    f32_gelu_ukernel__avx2,
    f32_silu_mul_ukernel__avx2,
    f32_add_ukernel__avx2,
    f32_rope_ukernel__avx2,
    f32_attention_ukernel__avx2,
    f32_l2_normalize_ukernel__avx2,
    f32_gelu_tanh_ukernel__avx2,
    f32_qd8_quantize_ukernel__avx2,
    qd8_qc8w_gemm_ukernel_4x2__avx2,
    f32_f16w_gemm_ukernel_4x3__avx2,
    f16_to_f32_rows_ukernel__avx2,
    f32_attention_kv_ukernel__avx2,
    f32_to_f16_row_ukernel__avx2,
    f32_quantize_row_q8_ukernel__avx2,
    nullptr,  // f32_gemm: fp32 layers go to XNNPACK
    f32_ssru_ukernel__avx2,
    f32_qs8_quantize_ukernel__avx2,
    f32_activation_ukernel__avx2,
    f32_dwconv_ukernel__avx2,
    // Reference-only image ops (kernels.h): a small share of the time.
    f32_conv_transpose2d_ukernel__reference,
    f32_pool2d_ukernel__reference,
    f32_resize_ukernel__scalar,
    // Not reference-only: PP-OCRv4's recognizer ends in a softmax over 6625
    // classes per frame, a quarter of an OCR read on the reference.
    f32_softmax_ukernel__avx2,
    16,  // f32_gemm_nr
    f32_gemm_ukernel_6x16__avx2,
    // Against XNNPACK on Zen 4 (whose own kernel there is AVX-512; median of
    // 3): 1.19-1.28x at 16 rows, 0.95-1.0x at 1 and 0.93-1.0x at 128, level
    // at 257 alone but not faster in DINOv2-S's whole network, 5-20 % behind
    // from 512 rows. On AVX2-only CPUs XNNPACK runs its own AVX2 kernels.
    128,  // f32_gemm_packed_rows
    0,    // f32_gemm_packed_long_k: never by K alone
    f32_igemm_ukernel_6x16__avx2,
}, f32_q8b_quantize_ukernel__avx2, q8b_i4bw_gemm_ukernel_1x8__avx2, q8b_i8bw_gemm_ukernel_1x8__avx2);
#endif
#if defined(EDGEATTN_KERNELS_HAVE_AVXVNNI)
// Its block GEMMs: VPDPBUSD lane sums (x86/block_gemm_avxvnni.cc).
const KernelTable kAvxVnniTable =
    with_block_kernels(with_qd8_gemm(kAvx2Table, "avxvnni", kKernelCapVnni, qd8_qc8w_gemm_ukernel_2x4__avxvnni),
                       f32_q8b_quantize_ukernel__avx2, q8b_i4bw_gemm_ukernel_1x8__avxvnni,
                       q8b_i8bw_gemm_ukernel_1x8__avxvnni);
#endif
#if defined(EDGEATTN_KERNELS_HAVE_AVX512VNNI)
// Its CPUs have AVX512F, so it also takes the 32-query AVX-512 attention
// (x86/attention_avx512.cc) and the 8x32 packed f32 GEMM
// (x86/gemm_f32_avx512.cc) instead of the avx2 table's 6x16; everything else
// is the avx2 table's.
constexpr KernelTable with_avx512_attention(KernelTable t) {
  t.f32_attention = f32_attention_ukernel__avx512f;
  t.f32_gemm_nr = 32;
  t.f32_gemm_packed = f32_gemm_ukernel_8x32__avx512f;
  t.f32_igemm_packed = f32_igemm_ukernel_8x32__avx512f;
  // Level with XNNPACK up to 512 rows at K = 384 and in DINOv2-S's whole
  // network at 257; 1-15 % ahead from 128 rows once K >= 768 (docs/gemm.md).
  t.f32_gemm_packed_rows = 512;
  t.f32_gemm_packed_long_k = 768;
  return t;
}
// The block GEMMs: VPDPBUSD lane sums (x86/block_gemm_avx512vnni.cc).
const KernelTable kAvx512VnniTable = with_block_kernels(
    with_avx512_attention(
        with_qd8_gemm(kAvx2Table, "avx512vnni", kKernelCapVnni, qd8_qc8w_gemm_ukernel_4x4__avx512vnni)),
    f32_q8b_quantize_ukernel__avx2, q8b_i4bw_gemm_ukernel_3x8__avx512vnni, q8b_i8bw_gemm_ukernel_3x8__avx512vnni);
#endif

#if defined(EDGEATTN_KERNELS_HAVE_NEON)
const KernelTable kNeonTable = with_block_kernels({
    "neon",
    0,
    f32_layernorm_ukernel__neon,
    f32_rmsnorm_ukernel__neon,
    f32_gelu_ukernel__neon,
    f32_silu_mul_ukernel__neon,
    f32_add_ukernel__neon,
    f32_rope_ukernel__neon,
    f32_attention_ukernel__neon,
    f32_l2_normalize_ukernel__neon,
    f32_gelu_tanh_ukernel__neon,
    f32_qd8_quantize_ukernel__neon,
    qd8_qc8w_gemm_ukernel_4x4__neon,
    f32_f16w_gemm_ukernel_4x4__neon,
    f16_to_f32_rows_ukernel__neon,
    f32_attention_kv_ukernel__neon,
    f32_to_f16_row_ukernel__neon,
    f32_quantize_row_q8_ukernel__neon,
    nullptr,  // f32_gemm: fp32 layers go to XNNPACK
    f32_ssru_ukernel__neon,
    f32_qs8_quantize_ukernel__neon,
    f32_activation_ukernel__neon,
    f32_dwconv_ukernel__neon,
    // Reference-only image ops (kernels.h): a small share of the time.
    f32_conv_transpose2d_ukernel__reference,
    f32_pool2d_ukernel__reference,
    f32_resize_ukernel__scalar,
    // Not reference-only: PP-OCRv4's recognizer ends in a softmax over 6625
    // classes per frame, a quarter of an OCR read on the reference.
    f32_softmax_ukernel__neon,
}, f32_q8b_quantize_ukernel__neon, q8b_i4bw_gemm_ukernel_2x2__neon, q8b_i8bw_gemm_ukernel_2x2__neon);
#endif

#if defined(EDGEATTN_KERNELS_HAVE_NEONDOT)
// The NEON table with the SDOT int8 GEMM (AArch64 with HWCAP_ASIMDDP) and
// SDOT lane sums in the block GEMMs (arm/block_gemm_neondot.cc).
const KernelTable kNeonDotTable =
    with_block_kernels(with_qd8_gemm(kNeonTable, "neon_dotprod", kKernelCapDotProduct,
                                     qd8_qc8w_gemm_ukernel_4x4__neondot),
                       f32_q8b_quantize_ukernel__neon, q8b_i4bw_gemm_ukernel_2x2__neondot,
                       q8b_i8bw_gemm_ukernel_2x2__neondot);

// AArch64 with fp16 arithmetic (HWCAP_ASIMDHP) and the dot product
// (ARMv8.2-A cores: Cortex-A55/A75/A76 and later). The kernels are those of
// neon_dotprod; kKernelCapFp16Arithmetic is what runtime/ops/op_fully_connected.cc
// tests to run fp16-weight layers through XNNPACK's f16 GEMM (FMLA on halves,
// fp16 accumulation) instead of f32_f16w_gemm (fp32 accumulation).
const KernelTable kNeonFp16Table =
    with_block_kernels(with_qd8_gemm(kNeonTable, "neon_fp16", kKernelCapDotProduct | kKernelCapFp16Arithmetic,
                                     qd8_qc8w_gemm_ukernel_4x4__neondot),
                       f32_q8b_quantize_ukernel__neon, q8b_i4bw_gemm_ukernel_2x2__neondot,
                       q8b_i8bw_gemm_ukernel_2x2__neondot);
#endif

}  // namespace

const KernelTable& reference_kernels() { return kReferenceTable; }

CpuFeatures detect_cpu_features() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // clang 14's __builtin_cpu_supports does not know "f16c": read CPUID
  // leaf 1, ECX bit 29 directly (OS YMM support is implied by "avx2").
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & (1u << 29)) != 0;
  f.avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
  // CPUID leaf 7: subleaf 0 ECX bit 11 AVX512_VNNI, subleaf 1 EAX bit 4
  // AVX-VNNI. __builtin_cpu_supports("avx512f") also checks that the OS saves
  // the zmm and mask registers (XCR0).
  unsigned l7[4] = {}, l7s1[4] = {};
  const bool has_leaf7 = __get_cpuid_count(7, 0, &l7[0], &l7[1], &l7[2], &l7[3]) != 0;
  if (has_leaf7) __get_cpuid_count(7, 1, &l7s1[0], &l7s1[1], &l7s1[2], &l7s1[3]);
  f.avx_vnni = f.avx2 && has_leaf7 && (l7s1[0] & (1u << 4)) != 0;
  f.avx512_vnni = f.avx2 && has_leaf7 && (l7[2] & (1u << 11)) != 0 && __builtin_cpu_supports("avx512f") &&
                  __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#elif defined(__aarch64__) && defined(__linux__)
  // Bit values from the Linux uapi asm/hwcap.h, in case libc headers lack them.
  constexpr unsigned long kHwcapAsimd = 1ul << 1;
  constexpr unsigned long kHwcapAsimdHp = 1ul << 10;
  constexpr unsigned long kHwcapAsimdDp = 1ul << 20;
  const unsigned long hwcap = getauxval(AT_HWCAP);
  f.neon = (hwcap & kHwcapAsimd) != 0;
  f.neon_fp16 = (hwcap & kHwcapAsimdHp) != 0;
  f.neon_dotprod = (hwcap & kHwcapAsimdDp) != 0;
#elif defined(__aarch64__)
  f.neon = true;  // Advanced SIMD is mandatory on AArch64.
#elif defined(__arm__) && defined(__linux__)
  constexpr unsigned long kHwcapNeon = 1ul << 12;
  f.neon = (getauxval(AT_HWCAP) & kHwcapNeon) != 0;
#endif
  return f;
}

const KernelTable& select_kernels(const CpuFeatures& features) {
#if defined(EDGEATTN_KERNELS_HAVE_AVX512VNNI)
  if (features.avx512_vnni) return kAvx512VnniTable;
#endif
#if defined(EDGEATTN_KERNELS_HAVE_AVXVNNI)
  if (features.avx_vnni) return kAvxVnniTable;
#endif
#if defined(EDGEATTN_KERNELS_HAVE_AVX2)
  if (features.avx2) return kAvx2Table;
#endif
#if defined(EDGEATTN_KERNELS_HAVE_NEONDOT)
  if (features.neon && features.neon_dotprod && features.neon_fp16) return kNeonFp16Table;
  if (features.neon && features.neon_dotprod) return kNeonDotTable;
#endif
#if defined(EDGEATTN_KERNELS_HAVE_NEON)
  if (features.neon) return kNeonTable;
#endif
  (void)features;
  // Every ISA table is complete, so "falling back per op" reduces to falling
  // back to the whole reference table when no ISA table applies.
  return kReferenceTable;
}

size_t compiled_kernel_tables(CompiledKernelTable* out, size_t max_out) {
  CompiledKernelTable tables[kMaxKernelTables];
  size_t n = 0;
  tables[n++] = {&kReferenceTable, "", true};
  const CpuFeatures f = detect_cpu_features();
  (void)f;
#if defined(EDGEATTN_KERNELS_HAVE_AVX2)
  tables[n++] = {&kAvx2Table, "AVX2+FMA+F16C", f.avx2};
#endif
#if defined(EDGEATTN_KERNELS_HAVE_AVXVNNI)
  tables[n++] = {&kAvxVnniTable, "AVX-VNNI", f.avx_vnni};
#endif
#if defined(EDGEATTN_KERNELS_HAVE_AVX512VNNI)
  tables[n++] = {&kAvx512VnniTable, "AVX512-VNNI (F/BW/VL)", f.avx512_vnni};
#endif
#if defined(EDGEATTN_KERNELS_HAVE_NEON)
  tables[n++] = {&kNeonTable, "NEON", f.neon};
#endif
#if defined(EDGEATTN_KERNELS_HAVE_NEONDOT)
  tables[n++] = {&kNeonDotTable, "NEON dot product", f.neon && f.neon_dotprod};
  tables[n++] = {&kNeonFp16Table, "NEON dot product + fp16 arithmetic", f.neon && f.neon_dotprod && f.neon_fp16};
#endif
  size_t written = 0;
  for (; written < n && written < max_out; ++written) out[written] = tables[written];
  return written;
}

size_t available_kernel_tables(const KernelTable** out, size_t max_out) {
  CompiledKernelTable compiled[kMaxKernelTables];
  const size_t n = compiled_kernel_tables(compiled, kMaxKernelTables);
  size_t written = 0;
  for (size_t i = 0; i < n && written < max_out; ++i) {
    if (compiled[i].runnable) out[written++] = compiled[i].table;
  }
  return written;
}

const KernelTable* find_kernel_table(const char* name) {
  const KernelTable* tables[kMaxKernelTables];
  const size_t n = available_kernel_tables(tables, kMaxKernelTables);
  for (size_t i = 0; i < n && name != nullptr; ++i) {
    if (std::strcmp(tables[i]->name, name) == 0) return tables[i];
  }
  return nullptr;
}

}  // namespace edgeattn
