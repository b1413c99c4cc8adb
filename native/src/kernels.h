// The building blocks every norm is made of, and the table NATIVE dispatches through. The vector
// ISAs' tables come from kernels written once over a thin vector layer per ISA (generic/ over
// vector/), with the few kernels whose best form differs by ISA in that ISA's folder; the scalar
// table is plain loops. The norm families in norms/ are written once in terms of the table, so a
// family never differs between ISAs in anything but speed and the last bits of rounding.
//
// Two memory shapes cover every norm and layout:
//  - segments: runs of contiguous floats (a layer norm row, an NCHW channel plane, an NCHW
//    group block);
//  - columns: per-channel work across rows of a channels-last matrix (NHWC, and NC with no
//    spatial extent), vectorised across channels.
// Sums are accumulated in double; see row_statistics.h for how outputs are formed.
#ifndef NORM4J_KERNELS_H
#define NORM4J_KERNELS_H

#include <cstdint>

#include "activation_constants.h"
#include "norm4j/norm4j.h"
#include "row_statistics.h"
#include "storage_types.h"
#include "tuning.h"

namespace norm4j {

// Values past a channels-last constant array's cols (see normalize_columns below).
constexpr int64_t kColumnWrap = 16;

// The constants of a pre-activation (x - mean) * rstd * w + b: one plane's, or per channel of a
// channels-last row (arrays of that row's c values).
struct PreActivation {
    float mean, rstd, w, b;
};
struct PreActivationColumns {
    const float *mean, *rstd, *w, *b;
};

struct KernelTable {
    const char *name;

    // ---- segments -------------------------------------------------------------------------
    double (*sum)(const float *x, int64_t n);
    double (*centred_square_sum)(const float *x, int64_t n, double mean);
    // Sum of x^2: the bits of centred_square_sum(x, n, 0), which RMS norm's rows rely on.
    double (*square_sum)(const float *x, int64_t n);
    // *s1 += sum (x[i] - pivot), *s2 += sum (x[i] - pivot)^2 (see pivoted_mean_variance).
    void (*pivoted_sums)(const float *x, int64_t n, double pivot, double *s1, double *s2);
    // y[i] = ((x[i] - hi) - lo) * rstd, then * w[i] and + b[i] where given (may be null).
    void (*normalize)(const float *x, float *y, int64_t n, const CentringConstants &c,
                      const float *w, const float *b);
    // normalize(x, y, n, c, w, b) and, in the same pass, the sums of the next segment `next`
    // (n values): *s2 += sum (next - pivot)^2 and, where s1 is given, *s1 += sum (next - pivot),
    // with the same bits as pivoted_sums and centred_square_sum. Row by row forward, the next
    // row's first reads (from beyond L1) then overlap this row's output pass instead of waiting
    // behind it.
    void (*normalize_then_sums)(const float *x, float *y, int64_t n, const CentringConstants &c,
                                const float *w, const float *b, const float *next, double pivot,
                                double *s1, double *s2);
    // As normalize, with one weight and bias for the whole segment (1 and 0 when absent); with
    // around_caches, whole aligned blocks of y are written around the caches (see
    // backward_from_memory below).
    void (*normalize_uniform)(const float *x, float *y, int64_t n, const CentringConstants &c,
                              float w, float b, bool around_caches);

    // Backward sums over a segment, in double, with xhat = (x - mean) * rstd and g = dy * w[i]
    // (g = dy when w is null): *sum_g += sum g, *sum_gxhat += sum g * xhat. Where dw is given,
    // also the parameter gradients of a segment whose element i has its own weight, in the same
    // pass: dw[i] += dy * xhat, db[i] += dy (db may be null); with start, they are set to those
    // terms instead (the first segment of a sum: no clearing pass before it).
    void (*backward_sums)(const float *x, const float *dy, int64_t n, float mean, float rstd,
                          const float *w, double *sum_g, double *sum_gxhat, double *dw,
                          double *db, bool start);
    // backward_sums of `rows` rows, row r at x + r * stride and dy + r * stride with its own
    // mean[r] (0 where mean is null), rstd[r], sum_g[r] and sum_gxhat[r], all adding into one dw
    // and db (start: the first row sets them): the same bits as one backward_sums per row in
    // order, with each block of dw and db kept in registers across several rows.
    void (*backward_sums_rows)(const float *x, const float *dy, int64_t rows, int64_t n, int64_t stride,
                               const float *mean, const float *rstd, const float *w, double *sum_g,
                               double *sum_gxhat, double *dw, double *db, bool start);
    // backward_sums of a segment whose terms are its whole parameter gradients (one row of a
    // layer norm), with start and no db: dw[i] = dy * xhat rounded straight to float, the value
    // backward_sums into doubles then store_as_floats gives, without the doubles' round trip.
    void (*backward_row_sums)(const float *x, const float *dy, int64_t n, float mean, float rstd,
                              const float *w, double *sum_g, double *sum_gxhat, float *dw);
    // dx[i] = rstd * (g - a - xhat * b), g = dy * w[i] (or dy * w_uniform when w is null),
    // xhat = (x - mean) * rstd, in f32. With around_caches, whole aligned blocks of dx are written
    // around the caches (see backward_from_memory below).
    void (*backward_dx)(const float *x, const float *dy, float *dx, int64_t n, float mean,
                        float rstd, const float *w, float w_uniform, float a, float b,
                        bool around_caches);

    // dst[i] = src[i] rounded to float: double accumulators written out (parameter gradients).
    void (*store_as_floats)(const double *src, float *dst, int64_t n);

    // ---- columns of a row-major [rows, cols] matrix ---------------------------------------
    // acc[j] += sum over rows of x[r, j]
    void (*column_sums)(const float *x, int64_t rows, int64_t cols, double *acc);
    // acc[j] += sum over rows of (x[r, j] - mean[j])^2
    void (*column_centred_square_sums)(const float *x, int64_t rows, int64_t cols,
                                       const double *mean, double *acc);
    // s1[j] += sum over rows of (x[r, j] - pivot[j]), s2[j] += the same squared.
    void (*column_pivoted_sums)(const float *x, int64_t rows, int64_t cols, const float *pivot,
                                double *s1, double *s2);
    // The channels-last outputs take their per-column constants folded (one subtraction and
    // fmas per value) and wrapped: each array holds cols + kColumnWrap values, value j being
    // column j's mod cols (norms/channel_constants.h). The kernels then walk the [rows, cols]
    // block as one flat run, the sixteen constants of any vector one load whatever its first
    // column; with around_caches they write whole aligned blocks around the caches, and with
    // from_memory (forward_from_memory) prefetch x kPrefetchAhead values ahead.
    // y[r, j] = (x[r, j] - hi[j]) * scale[j] + shift[j]
    void (*normalize_columns)(const float *x, float *y, int64_t rows, int64_t cols,
                              const float *hi, const float *scale, const float *shift,
                              bool around_caches, bool from_memory);
    // Backward sums per column with per-column statistics:
    // sum_dy[j] += sum_r dy, sum_dy_xhat[j] += sum_r dy * xhat, xhat = (x - mean[j]) * rstd[j].
    // With from_memory (a call too large for the caches, as for forward_from_memory), the rows are
    // prefetched ahead: see kPrefetchAhead.
    void (*column_backward_sums)(const float *x, const float *dy, int64_t rows, int64_t cols,
                                 const float *mean, const float *rstd, double *sum_dy,
                                 double *sum_dy_xhat, bool from_memory);
    // dx[r, j] = xhat * k_x[j] + (dy[r, j] * k_dy[j] + k_0[j]), xhat = (x[r, j] - mean[j]) * rstd[j],
    // wrapped as above; from_memory as for column_backward_sums
    void (*column_backward_dx)(const float *x, const float *dy, float *dx, int64_t rows,
                               int64_t cols, const float *mean, const float *rstd,
                               const float *k_dy, const float *k_x, const float *k_0, bool around_caches,
                               bool from_memory);
    // mn[j] = min(mn[j], x[r, j]), mx likewise; NaN values are skipped.
    void (*column_min_max)(const float *x, int64_t rows, int64_t cols, float *mn, float *mx);
    // y[r, j] = (x[r, j] - sub[j]) * scale[j] + add[j], each operation rounded (no fma).
    void (*scale_columns)(const float *x, float *y, int64_t rows, int64_t cols,
                          const float *sub, const float *scale, const float *add);

    // ---- rows stored as bf16 or f16: pivoted_sums, square_sum, normalize and
    // normalize_then_sums reading and writing that type, with the bits of the f32 kernels on the
    // widened values (the outputs then rounded once).
    void (*pivoted_sums_bf16)(const bf16 *x, int64_t n, double pivot, double *s1, double *s2);
    double (*square_sum_bf16)(const bf16 *x, int64_t n);
    void (*normalize_bf16)(const bf16 *x, bf16 *y, int64_t n, const CentringConstants &c, const float *w,
                           const float *b);
    void (*normalize_then_sums_bf16)(const bf16 *x, bf16 *y, int64_t n, const CentringConstants &c,
                                     const float *w, const float *b, const bf16 *next, double pivot, double *s1,
                                     double *s2);
    void (*pivoted_sums_f16)(const f16 *x, int64_t n, double pivot, double *s1, double *s2);
    double (*square_sum_f16)(const f16 *x, int64_t n);
    void (*normalize_f16)(const f16 *x, f16 *y, int64_t n, const CentringConstants &c, const float *w,
                          const float *b);
    void (*normalize_then_sums_f16)(const f16 *x, f16 *y, int64_t n, const CentringConstants &c,
                                    const float *w, const float *b, const f16 *next, double pivot, double *s1,
                                    double *s2);
    // backward_sums_rows and backward_dx on rows whose x, dy (and dx) are all stored as bf16 or
    // f16, with the bits of the f32 kernels on the widened values (dx then rounded once).
    void (*backward_sums_rows_bf16)(const bf16 *x, const bf16 *dy, int64_t rows, int64_t n, int64_t stride,
                                    const float *mean, const float *rstd, const float *w, double *sum_g,
                                    double *sum_gxhat, double *dw, double *db, bool start);
    void (*backward_dx_bf16)(const bf16 *x, const bf16 *dy, bf16 *dx, int64_t n, float mean, float rstd,
                             const float *w, float w_uniform, float a, float b, bool around_caches);
    void (*backward_sums_rows_f16)(const f16 *x, const f16 *dy, int64_t rows, int64_t n, int64_t stride,
                                   const float *mean, const float *rstd, const float *w, double *sum_g,
                                   double *sum_gxhat, double *dw, double *db, bool start);
    void (*backward_dx_f16)(const f16 *x, const f16 *dy, f16 *dx, int64_t n, float mean, float rstd,
                            const float *w, float w_uniform, float a, float b, bool around_caches);

    // ---- storage conversions (storage_types.h): widening exact, rounding to nearest even ----
    void (*bf16_to_floats)(const bf16 *src, float *dst, int64_t n);
    void (*floats_to_bf16)(const float *src, bf16 *dst, int64_t n);
    void (*f16_to_floats)(const f16 *src, float *dst, int64_t n);
    void (*floats_to_f16)(const float *src, f16 *dst, int64_t n);

    // ---- element-wise ----------------------------------------------------------------------
    // out[i] = a[i] + b[i], one f32 rounding each; out may be a or b. With around_caches, whole
    // aligned blocks of out are written around the caches.
    void (*add_arrays)(const float *a, const float *b, float *out, int64_t n, bool around_caches);
    // The same on bf16 (f16) arrays: the widened values added in f32, each sum rounded once.
    void (*add_arrays_bf16)(const bf16 *a, const bf16 *b, bf16 *out, int64_t n, bool around_caches);
    void (*add_arrays_f16)(const f16 *a, const f16 *b, f16 *out, int64_t n, bool around_caches);
    // dst[i] = src[i], bit for bit; dst does not overlap src. With around_caches, as add_arrays:
    // a staged block written out to memory without reading dst's lines in first.
    void (*copy_floats)(const float *src, float *dst, int64_t n, bool around_caches);

    // ---- activations of the fused norms (activation_constants.h; kind NORM4J_ACTIVATION_RELU
    // or NORM4J_ACTIVATION_SILU) ----
    // y[i] = activation(y[i]), in place.
    void (*activate)(float *y, int64_t n, int kind);
    // dpre[i] = dy[i] * activation'(pre), pre = (x[i] - mean) * rstd * w + b with one plane's
    // constants; dpre may be dy.
    void (*activation_gradient_plane)(const float *x, const float *dy, float *dpre, int64_t n,
                                      const PreActivation &p, int kind);
    // The same over one channels-last row of c values, the constants per channel.
    void (*activation_gradient_row)(const float *x, const float *dy, float *dpre, int64_t c,
                                    const PreActivationColumns &p, int kind);
    // normalize_uniform and normalize_columns with the activation applied to each value before it
    // is stored (the fused forwards' output pass).
    void (*normalize_uniform_activated)(const float *x, float *y, int64_t n, const CentringConstants &c,
                                        float w, float b, bool around_caches, int kind);
    void (*normalize_columns_activated)(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                                        const float *scale, const float *shift, bool around_caches,
                                        bool from_memory, int kind);
    // Channels-last batch norm on data stored as bf16 (f16), all of one type: column_pivoted_sums,
    // column_backward_sums, column_backward_dx and normalize_columns_activated (kind
    // NORM4J_ACTIVATION_NONE too), each with the bits of the f32 kernel (normalize_columns, or
    // normalize_columns_activated) on the widened values, outputs rounded once.
    void (*column_pivoted_sums_bf16)(const bf16 *x, int64_t rows, int64_t cols, const float *pivot, double *s1,
                                     double *s2);
    void (*column_pivoted_sums_f16)(const f16 *x, int64_t rows, int64_t cols, const float *pivot, double *s1,
                                    double *s2);
    void (*column_backward_sums_bf16)(const bf16 *x, const bf16 *dy, int64_t rows, int64_t cols, const float *mean,
                                      const float *rstd, double *sum_dy, double *sum_dy_xhat, bool from_memory);
    void (*column_backward_sums_f16)(const f16 *x, const f16 *dy, int64_t rows, int64_t cols, const float *mean,
                                     const float *rstd, double *sum_dy, double *sum_dy_xhat, bool from_memory);
    void (*column_backward_dx_bf16)(const bf16 *x, const bf16 *dy, bf16 *dx, int64_t rows, int64_t cols,
                                    const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                                    const float *k_0, bool around_caches, bool from_memory);
    void (*column_backward_dx_f16)(const f16 *x, const f16 *dy, f16 *dx, int64_t rows, int64_t cols,
                                   const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                                   const float *k_0, bool around_caches, bool from_memory);
    void (*normalize_columns_activated_bf16)(const bf16 *x, bf16 *y, int64_t rows, int64_t cols, const float *hi,
                                             const float *scale, const float *shift, bool around_caches,
                                             bool from_memory, int kind);
    void (*normalize_columns_activated_f16)(const f16 *x, f16 *y, int64_t rows, int64_t cols, const float *hi,
                                            const float *scale, const float *shift, bool around_caches,
                                            bool from_memory, int kind);
};

// The kernel table of the ISA namespace this is expanded in: every entry, in table order.
#define NORM4J_KERNEL_TABLE(isa_name)                                                          \
    const KernelTable kTable = {isa_name,                                                      \
                                sum,                                                           \
                                centred_square_sum,                                            \
                                square_sum,                                                    \
                                pivoted_sums,                                                  \
                                normalize,                                                     \
                                normalize_then_sums,                                           \
                                normalize_uniform,                                             \
                                backward_sums,                                                 \
                                backward_sums_rows,                                            \
                                backward_row_sums,                                             \
                                backward_dx,                                                   \
                                store_as_floats,                                               \
                                column_sums,                                                   \
                                column_centred_square_sums,                                    \
                                column_pivoted_sums,                                           \
                                normalize_columns,                                             \
                                column_backward_sums,                                          \
                                column_backward_dx,                                            \
                                column_min_max,                                                \
                                scale_columns,                                                 \
                                pivoted_sums_bf16,                                             \
                                square_sum_bf16,                                               \
                                normalize_bf16,                                                \
                                normalize_then_sums_bf16,                                      \
                                pivoted_sums_f16,                                              \
                                square_sum_f16,                                                \
                                normalize_f16,                                                 \
                                normalize_then_sums_f16,                                       \
                                backward_sums_rows_bf16,                                       \
                                backward_dx_bf16,                                              \
                                backward_sums_rows_f16,                                        \
                                backward_dx_f16,                                               \
                                bf16_to_floats,                                                \
                                floats_to_bf16,                                                \
                                f16_to_floats,                                                 \
                                floats_to_f16,                                                 \
                                add_arrays,                                                    \
                                add_arrays_bf16,                                               \
                                add_arrays_f16,                                                \
                                copy_floats,                                                   \
                                activate,                                                      \
                                activation_gradient_plane,                                     \
                                activation_gradient_row,                                       \
                                normalize_uniform_activated,                                   \
                                normalize_columns_activated,                                   \
                                column_pivoted_sums_bf16,                                      \
                                column_pivoted_sums_f16,                                       \
                                column_backward_sums_bf16,                                     \
                                column_backward_sums_f16,                                      \
                                column_backward_dx_bf16,                                       \
                                column_backward_dx_f16,                                        \
                                normalize_columns_activated_bf16,                              \
                                normalize_columns_activated_f16}

namespace scalar {
#include "kernel_functions.h"
}
namespace avx2 {
#include "kernel_functions.h"
}
namespace avx512 {
#include "kernel_functions.h"
}
namespace avx512_bf16 {
#include "kernel_functions.h"
}

// The last-level cache one core can use, in bytes, as the CPU reports it (cpu_caches.cpp); it
// decides when a call's data count as coming from memory.
int64_t last_level_cache_bytes();

// Whether a call's arrays, `bytes_per_value` bytes per value of its data, outgrow that cache.
inline bool outgrows_cache(int64_t values, int64_t bytes_per_value) {
    return values * bytes_per_value >= last_level_cache_bytes();
}

// Whether a backward call (x, dy and dx: 12 bytes per value) outgrows the last-level cache: then
// dx, written in contiguous segments or runs, goes around the caches (non-temporal stores save
// reading every line of it in first) and x and dy are prefetched. The scalar kernels ignore it.
inline bool backward_from_memory(int64_t values) { return outgrows_cache(values, 12); }

// The same for a forward call (x and y: 8 bytes per value) whose output is not read back in the
// call: channels-last outputs (normalize_columns) and channels-first batch norm's y. Other
// forward outputs (rows, group norm) go through the caches: where repeated calls keep input and
// output in the last-level cache, writing around it is slower.
inline bool forward_from_memory(int64_t values) { return outgrows_cache(values, 8); }

// Asks for the `values` floats at p to be brought into L1 (a hint; it never faults). For data
// from memory whose next part one core would otherwise wait for (see the callers).
inline void prefetch(const float *p, int64_t values) {
    const char *bytes = reinterpret_cast<const char *>(p);
    for (int64_t b = 0; b < values * static_cast<int64_t>(sizeof(float)); b += 64) __builtin_prefetch(bytes + b, 0, 3);
}

// For kernels walking the n values at p in order: asks for the value kPrefetchAhead past p[i],
// where there is one.
template <typename T>
inline void prefetch_ahead(const T *p, int64_t i, int64_t n) {
    if (i + kPrefetchAhead < n) __builtin_prefetch(p + i + kPrefetchAhead, 0, 3);
}

// The table for the active ISA (see norm4j_isa_select).
const KernelTable &active_kernels();

}  // namespace norm4j

#endif
