// AVX-512 backward kernels: reductions in double (8 lanes per half vector), dx in f32. Tails
// use masked loads (missing lanes read as zero) and masked stores, never touching past the data.

#include <algorithm>

#include "../flag_dispatch.h"
#include "kernels_avx512.h"

namespace norm4j::avx512 {

namespace {

// Backward sums of kRows rows at once (row r at x + r * stride and dy + r * stride, n values
// each), every row with its own sums and, with kParams, all of them adding into one dw and db.
// Each block of sixteen columns keeps its dw and db in registers across the rows, loaded and
// stored once per kRows rows rather than once per row: the parameter gradients had taken most of
// layer norm's backward (4096 x 1024: 1.29 ms with them, 0.78 ms without, in a native loop).
// Every sum adds the same terms in the same order whatever kRows is, so the bits do not depend
// on how rows are grouped.
// A float Gradient is one row's dw set (backward_row_sums), each term rounded straight to float.
template <bool kWeight, bool kParams, bool kStart, int kRows, typename Gradient = double>
void backward_sums_impl(const float *x, const float *dy, int64_t stride, int64_t n, const float *mean,
                        const float *rstd, const float *w, double *sum_g, double *sum_gxhat, Gradient *dw,
                        double *db) {
    __m512d mv[kRows], rs[kRows], g0[kRows], g1[kRows], gx0[kRows], gx1[kRows];
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
        mv[r] = _mm512_set1_pd(mean != nullptr ? mean[r] : 0.0f);
        rs[r] = _mm512_set1_pd(rstd[r]);
        g0[r] = g1[r] = gx0[r] = gx1[r] = _mm512_setzero_pd();
    }
    // Sixteen values from i on, m their lanes (the whole-vector loop passes the full mask as a
    // constant, so its loads and stores are plain ones with no test).
    auto block = [&](int64_t i, __mmask16 m) {
        const __mmask8 l = low_mask(m), h = high_mask(m);
        __m512d w0, w1, pw0, pw1, pb0, pb1;
        if constexpr (kWeight) load_halves_pd(w + i, m, w0, w1);
        if constexpr (kParams && !kStart) {
            pw0 = load_pd(dw + i, l);
            pw1 = load_pd(dw + i + 8, h);
            if (db != nullptr) {
                pb0 = load_pd(db + i, l);
                pb1 = load_pd(db + i + 8, h);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < kRows; ++r) {
            // Missing tail lanes load dy = 0, so they add nothing to any sum. With
            // p = dy * (x - mean): sum g xhat = rstd * sum w p, taken out of the loop, and
            // dw += rstd * p, one operation fewer per value than through xhat.
            __m512d x0, x1, e0, e1;
            load_halves_pd(x + r * stride + i, m, x0, x1);
            load_halves_pd(dy + r * stride + i, m, e0, e1);
            const __m512d p0 = _mm512_mul_pd(e0, _mm512_sub_pd(x0, mv[r]));
            const __m512d p1 = _mm512_mul_pd(e1, _mm512_sub_pd(x1, mv[r]));
            if constexpr (kWeight) {
                g0[r] = _mm512_fmadd_pd(e0, w0, g0[r]);
                g1[r] = _mm512_fmadd_pd(e1, w1, g1[r]);
                gx0[r] = _mm512_fmadd_pd(p0, w0, gx0[r]);
                gx1[r] = _mm512_fmadd_pd(p1, w1, gx1[r]);
            } else {
                g0[r] = _mm512_add_pd(g0[r], e0);
                g1[r] = _mm512_add_pd(g1[r], e1);
                gx0[r] = _mm512_add_pd(gx0[r], p0);
                gx1[r] = _mm512_add_pd(gx1[r], p1);
            }
            if constexpr (kParams) {
                // dw += dy * xhat, db += dy: the parameter gradients take dy before the weight;
                // with kStart, the first row sets them (no clearing pass before).
                if (kStart && r == 0) {
                    pw0 = _mm512_mul_pd(p0, rs[r]);
                    pw1 = _mm512_mul_pd(p1, rs[r]);
                    pb0 = e0;
                    pb1 = e1;
                } else {
                    pw0 = _mm512_fmadd_pd(p0, rs[r], pw0);
                    pw1 = _mm512_fmadd_pd(p1, rs[r], pw1);
                    if (db != nullptr) {
                        pb0 = _mm512_add_pd(pb0, e0);
                        pb1 = _mm512_add_pd(pb1, e1);
                    }
                }
            }
        }
        if constexpr (kParams && std::is_same_v<Gradient, float>) {
            static_assert(kStart && kRows == 1, "a float dw holds one row's terms, not a sum");
            // The halves joined as doubles' bits: inserting eight floats would take AVX-512DQ.
            const __m512d lo = _mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(pw0)));
            store(dw + i, m, _mm512_castpd_ps(_mm512_insertf64x4(lo, _mm256_castps_pd(_mm512_cvtpd_ps(pw1)), 1)));
        } else if constexpr (kParams) {
            store_pd(dw + i, l, pw0);
            store_pd(dw + i + 8, h, pw1);
            if (db != nullptr) {
                store_pd(db + i, l, pb0);
                store_pd(db + i + 8, h, pb1);
            }
        }
    };
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) block(i, static_cast<__mmask16>(0xFFFF));
    if (i < n) block(i, tail_mask(n - i));
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
        sum_g[r] += reduce_add(_mm512_add_pd(g0[r], g1[r]));
        sum_gxhat[r] += reduce_add(_mm512_add_pd(gx0[r], gx1[r])) * rstd[r];
    }
}

// Rows are taken two at a time. With four, the rows' sums, means and rstds left too few of the 32
// registers: the compiler spilled, and layer norm 512 x 1024 backward measured 71 -> 76 us.
constexpr int64_t kRowsAtOnce = 2;

}  // namespace

#include "../backward_entry_points.h"

void backward_dx(const float *x, const float *dy, float *dx, int64_t n, float mean, float rstd,
                 const float *w, float w_uniform, float a, float b, bool stream) {
    const __m512 mv = _mm512_set1_ps(mean), rs = _mm512_set1_ps(rstd);
    const __m512 av = _mm512_set1_ps(a), bv = _mm512_set1_ps(b), wu = _mm512_set1_ps(w_uniform);
    write_row(dx, n, stream, [&](int64_t i, __mmask16 m) {
        const __m512 g = _mm512_mul_ps(load(dy + i, m), w != nullptr ? load(w + i, m) : wu);
        const __m512 xhat = _mm512_mul_ps(_mm512_sub_ps(load(x + i, m), mv), rs);
        // (g - a) - xhat * b, as in the scalar kernel but with one fused rounding.
        return _mm512_mul_ps(rs, _mm512_fnmadd_ps(xhat, bv, _mm512_sub_ps(g, av)));
    });
}

namespace {

// Backward sums of one panel of up to 64 columns (kBlocks blocks of 16, the last masked by `last`)
// over all the rows, in registers (six of AVX-512's 32 per block), so a matrix of up to 64
// channels is read once, in memory order. Sum dy * xhat is taken as rstd * sum dy * (x - mean):
// rstd is the column's constant, and leaving it out of the loop frees the registers it took.
// The sums are plain arrays of vectors: in arrays of ColumnBlockSums, GCC stored all of four
// blocks' sums to the stack on every row (64 channels, one thread: 87 -> 80 us for 400K values).
template <int kBlocks>
void backward_sums_panel(const float *x, const float *dy, int64_t rows, int64_t cols, __mmask16 last,
                         const float *mean, const float *rstd, double *sum_dy, double *sum_dy_xhat,
                         bool from_memory) {
    __m512d mv[kBlocks][2];
    __m512d d_lo[kBlocks], d_hi[kBlocks], g_lo[kBlocks], g_hi[kBlocks];
    auto mask = [&](int b) { return panel_mask<kBlocks>(b, last); };
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        const __m512 m = load(mean + 16 * b, mask(b));
        mv[b][0] = low_pd(m);
        mv[b][1] = high_pd(m);
        d_lo[b] = d_hi[b] = g_lo[b] = g_hi[b] = _mm512_setzero_pd();
    }
    const int64_t ahead = kPrefetchAhead / cols;  // rows, kPrefetchAhead values on
    for (int64_t r = 0; r < rows; ++r) {
        if (from_memory && r + ahead < rows) {
#pragma GCC unroll 4
            for (int b = 0; b < kBlocks; ++b) {
                _mm_prefetch(reinterpret_cast<const char *>(x + (r + ahead) * cols + 16 * b), _MM_HINT_T0);
                _mm_prefetch(reinterpret_cast<const char *>(dy + (r + ahead) * cols + 16 * b), _MM_HINT_T0);
            }
        }
#pragma GCC unroll 4
        for (int b = 0; b < kBlocks; ++b) {
            // Masked-off lanes load dy = 0, so they add nothing to either sum.
            __m512d x0, x1, e0, e1;
            load_halves_pd(x + r * cols + 16 * b, mask(b), x0, x1);
            load_halves_pd(dy + r * cols + 16 * b, mask(b), e0, e1);
            d_lo[b] = _mm512_add_pd(d_lo[b], e0);
            d_hi[b] = _mm512_add_pd(d_hi[b], e1);
            g_lo[b] = _mm512_fmadd_pd(e0, _mm512_sub_pd(x0, mv[b][0]), g_lo[b]);
            g_hi[b] = _mm512_fmadd_pd(e1, _mm512_sub_pd(x1, mv[b][1]), g_hi[b]);
        }
    }
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        const __m512 rs = load(rstd + 16 * b, mask(b));
        ColumnBlockSums{d_lo[b], d_hi[b]}.add_to(sum_dy + 16 * b, mask(b));
        ColumnBlockSums{_mm512_mul_pd(g_lo[b], low_pd(rs)), _mm512_mul_pd(g_hi[b], high_pd(rs))}
            .add_to(sum_dy_xhat + 16 * b, mask(b));
    }
}

}  // namespace

// The channel-wise backward kernels: sums panel by panel like column_pivoted_sums
// (column_kernels_avx512.cpp), dx row by row.
void column_backward_sums(const float *x, const float *dy, int64_t rows, int64_t cols,
                          const float *mean, const float *rstd, double *sum_dy,
                          double *sum_dy_xhat, bool from_memory) {
    for_each_panel(cols, [&](int64_t j, __mmask16 last, auto blocks) {
        backward_sums_panel<blocks.value>(x + j, dy + j, rows, cols, last, mean + j, rstd + j, sum_dy + j,
                                          sum_dy_xhat + j, from_memory);
    });
}

namespace {

// One row's columns [j0, j1) of column_dx_rows, its choices compile-time: with them tested in
// the loop, GCC ran out of registers and reloaded four of the constants' pointers from the
// stack on every vector. Batch norm backward in a native loop: [8, 14, 14, 256] one thread
// 110-114 -> 98-104 us, two 54-55 -> 49-51 us; [128, 1024] one thread 39-40 -> 36-37 us.
template <bool kPrefetch, bool kAround>
void column_dx_row(const float *x, const float *dy, float *dx, int64_t j0, int64_t j1, const float *mean,
                   const float *rstd, const float *k_dy, const float *k_x, const float *k_0, int64_t ahead) {
    for (int64_t j = j0; j < j1; j += 16) {
        if constexpr (kPrefetch) {
            _mm_prefetch(reinterpret_cast<const char *>(x + j + ahead), _MM_HINT_T0);
            _mm_prefetch(reinterpret_cast<const char *>(dy + j + ahead), _MM_HINT_T0);
        }
        const __m512 t = _mm512_fmadd_ps(_mm512_loadu_ps(dy + j), _mm512_loadu_ps(k_dy + j), _mm512_loadu_ps(k_0 + j));
        const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(x + j), _mm512_loadu_ps(mean + j));
        const __m512 v = _mm512_fmadd_ps(_mm512_mul_ps(d, _mm512_loadu_ps(rstd + j)), _mm512_loadu_ps(k_x + j), t);
        if constexpr (kAround) _mm512_stream_ps(dx + j, v);
        else _mm512_storeu_ps(dx + j, v);
    }
}

// column_backward_dx for channel counts of whole vectors, where every row starts on lane 0: the
// constants indexed by the column, with none of the flat run's per-vector wrapping of that index
// (which left the loop about 35 instructions a vector). Wide rows go in blocks of columns over a
// tile of rows, so that a block's five constants stay in L1 while the tile's rows pass: a whole
// row of 2048 channels and its constants (64 KiB) did not fit, and every vector's constants came
// from L2. The same arithmetic, so the same bits. Streams dx when dx starts on a cache line (then
// every vector is one); from memory, each block's rows in the next tile are prefetched.
void column_dx_rows(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols, const float *mean,
                    const float *rstd, const float *k_dy, const float *k_x, const float *k_0, bool stream,
                    bool from_memory) {
    // Blocks of 512 columns (their constants 10 KiB) over tiles of 32K values (x and dy 256 KiB,
    // in L2): [8, 7, 7, 2048] on one thread 314 -> 240 us; blocks of 256 or tiles of 16K values
    // 257-261 us.
    const int64_t block = std::min<int64_t>(cols, 512);
    const int64_t tile = std::max<int64_t>(1, (int64_t{1} << 15) / cols);  // rows
    const bool around = stream && starts_line(dx);
    // In one block the rows pass in memory order, kPrefetchAhead values ahead; in several, a
    // block's values in the next tile are the next ones it reads. Rows whose lines ahead lie
    // past the data ask for none.
    const int64_t ahead = block == cols ? kPrefetchAhead : tile * cols, end = rows * cols - ahead;
    for (int64_t r0 = 0; r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j0 = 0; j0 < cols; j0 += block) {
            const int64_t j1 = std::min(cols, j0 + block);
            for (int64_t r = r0; r < r1; ++r) {
                const int64_t at = r * cols;
                const bool ask = from_memory && at + j1 <= end;
                with_flags(ask, around, [&](auto kp, auto ka) {
                    column_dx_row<kp.value, ka.value>(x + at, dy + at, dx + at, j0, j1, mean, rstd, k_dy, k_x, k_0,
                                                      ahead);
                });
            }
        }
    }
}

}  // namespace

void column_backward_dx(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols,
                        const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                        const float *k_0, bool stream, bool from_memory) {
    if (cols % 16 == 0) {
        column_dx_rows(x, dy, dx, rows, cols, mean, rstd, k_dy, k_x, k_0, stream, from_memory);
        return;
    }
    write_columns(dx, rows, cols, stream, [&](int64_t i, __mmask16 m, int64_t j) {
        if (from_memory) {
            prefetch_ahead(x, i, rows * cols);
            prefetch_ahead(dy, i, rows * cols);
        }
        const __m512 t = _mm512_fmadd_ps(load(dy + i, m), _mm512_loadu_ps(k_dy + j), _mm512_loadu_ps(k_0 + j));
        const __m512 d = _mm512_sub_ps(load(x + i, m), _mm512_loadu_ps(mean + j));
        return _mm512_fmadd_ps(_mm512_mul_ps(d, _mm512_loadu_ps(rstd + j)), _mm512_loadu_ps(k_x + j), t);
    });
}

void store_as_floats(const double *src, float *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm512_cvtpd_ps(_mm512_loadu_pd(src + i)));
    for (; i < n; ++i) dst[i] = static_cast<float>(src[i]);
}

}  // namespace norm4j::avx512
