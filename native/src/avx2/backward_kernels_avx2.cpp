// AVX2/FMA backward kernels: reductions in double (4 lanes per half vector), dx in f32.
// Every loop handles its tail with masked loads and stores, never reading past the data.
#include <algorithm>

#include "../flag_dispatch.h"
#include "kernels_avx2.h"

namespace norm4j::avx2 {

namespace {

// Backward sums of kRows rows at once (row r at x + r * stride and dy + r * stride, n values
// each), every row with its own sums and, with kParams, all of them adding into one dw and db,
// whose block of eight stays in registers across the rows (as the AVX-512 pass; AVX2 calls it
// with one row, see kRowsAtOnce). Whole blocks use plain loads and stores (masked ones are slow
// on some CPUs); the ragged end uses masked ones, whose missing lanes load as zero: dy = 0 there,
// so they add nothing to any sum. Every sum adds the same terms in the same order whatever kRows
// is.
// A float Gradient is one row's dw set (backward_row_sums), each term rounded straight to float.
template <bool kWeight, bool kParams, bool kStart, int kRows, typename Gradient = double>
void backward_sums_impl(const float *x, const float *dy, int64_t stride, int64_t n, const float *mean,
                        const float *rstd, const float *w, double *sum_g, double *sum_gxhat, Gradient *dw,
                        double *db) {
    __m256d mv[kRows], rs[kRows], g0[kRows], g1[kRows], gx0[kRows], gx1[kRows];
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
        mv[r] = _mm256_set1_pd(mean != nullptr ? mean[r] : 0.0f);
        rs[r] = _mm256_set1_pd(rstd[r]);
        g0[r] = g1[r] = gx0[r] = gx1[r] = _mm256_setzero_pd();
    }
    auto block = [&](int64_t i, bool whole, __m256i mask) {
        const __m256i lo = _mm256_castpd_si256(low_mask_pd(mask)), hi = _mm256_castpd_si256(high_mask_pd(mask));
        auto load_pd = [&](const double *p, __m256i m) { return whole ? _mm256_loadu_pd(p) : _mm256_maskload_pd(p, m); };
        auto store_pd = [&](double *p, __m256i m, __m256d v) {
            if (whole) _mm256_storeu_pd(p, v);
            else _mm256_maskstore_pd(p, m, v);
        };
        __m256d w0, w1, pw0, pw1, pb0, pb1;
        if constexpr (kWeight) load_halves_pd(w + i, whole, mask, w0, w1);
        if constexpr (kParams && !kStart) {
            pw0 = load_pd(dw + i, lo);
            pw1 = load_pd(dw + i + 4, hi);
            if (db != nullptr) {
                pb0 = load_pd(db + i, lo);
                pb1 = load_pd(db + i + 4, hi);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < kRows; ++r) {
            __m256d x0, x1, e0, e1;
            load_halves_pd(x + r * stride + i, whole, mask, x0, x1);
            load_halves_pd(dy + r * stride + i, whole, mask, e0, e1);
            // p = dy * (x - mean): sum g xhat = rstd * sum w p, and dw += rstd * p (as AVX-512).
            const __m256d p0 = _mm256_mul_pd(e0, _mm256_sub_pd(x0, mv[r]));
            const __m256d p1 = _mm256_mul_pd(e1, _mm256_sub_pd(x1, mv[r]));
            if constexpr (kWeight) {
                g0[r] = _mm256_fmadd_pd(e0, w0, g0[r]);
                g1[r] = _mm256_fmadd_pd(e1, w1, g1[r]);
                gx0[r] = _mm256_fmadd_pd(p0, w0, gx0[r]);
                gx1[r] = _mm256_fmadd_pd(p1, w1, gx1[r]);
            } else {
                g0[r] = _mm256_add_pd(g0[r], e0);
                g1[r] = _mm256_add_pd(g1[r], e1);
                gx0[r] = _mm256_add_pd(gx0[r], p0);
                gx1[r] = _mm256_add_pd(gx1[r], p1);
            }
            if constexpr (kParams) {
                // dw += dy * xhat, db += dy: the parameter gradients take dy before the weight;
                // with kStart, the first row sets them (no clearing pass before).
                if (kStart && r == 0) {
                    pw0 = _mm256_mul_pd(p0, rs[r]);
                    pw1 = _mm256_mul_pd(p1, rs[r]);
                    pb0 = e0;
                    pb1 = e1;
                } else {
                    pw0 = _mm256_fmadd_pd(p0, rs[r], pw0);
                    pw1 = _mm256_fmadd_pd(p1, rs[r], pw1);
                    if (db != nullptr) {
                        pb0 = _mm256_add_pd(pb0, e0);
                        pb1 = _mm256_add_pd(pb1, e1);
                    }
                }
            }
        }
        if constexpr (kParams && std::is_same_v<Gradient, float>) {
            static_assert(kStart && kRows == 1, "a float dw holds one row's terms, not a sum");
            store_block(dw + i, whole, mask, _mm256_set_m128(_mm256_cvtpd_ps(pw1), _mm256_cvtpd_ps(pw0)));
        } else if constexpr (kParams) {
            store_pd(dw + i, lo, pw0);
            store_pd(dw + i + 4, hi, pw1);
            if (db != nullptr) {
                store_pd(db + i, lo, pb0);
                store_pd(db + i + 4, hi, pb1);
            }
        }
    };
    const __m256i all = _mm256_set1_epi32(-1);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) block(i, true, all);
    if (i < n) block(i, false, tail_mask(n - i));
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
        sum_g[r] += reduce_add(_mm256_add_pd(g0[r], g1[r]));
        sum_gxhat[r] += reduce_add(_mm256_add_pd(gx0[r], gx1[r])) * rstd[r];
    }
}

// Rows are taken one at a time. Two at once (as AVX-512 does) need more than the sixteen
// registers: the compiler kept a row's accumulator on the stack, each block's fma waiting on a
// store and a reload of it, and one row at a time measured faster in a native loop: layer norm
// backward 32 x 768 6.8-7.1 -> 5.9-6.2 us, 512 x 1024 86-97 -> 75-88 us, 4096 x 1024 855-892 ->
// 810-830 us, 256 x 4096 193-195 -> 181-184 us, RMS norm 32 x 768 6.6-6.8 -> 5.3-5.5 us
// (4096 x 64 48-50 us either way).
constexpr int64_t kRowsAtOnce = 1;

}  // namespace

#include "../backward_entry_points.h"

void backward_dx(const float *x, const float *dy, float *dx, int64_t n, float mean, float rstd,
                 const float *w, float w_uniform, float a, float b, bool stream) {
    const __m256 m = _mm256_set1_ps(mean), rs = _mm256_set1_ps(rstd);
    const __m256 av = _mm256_set1_ps(a), bv = _mm256_set1_ps(b), wu = _mm256_set1_ps(w_uniform);
    write_row(dx, n, stream, [&](int64_t i, bool whole, __m256i mask) {
        const __m256 wv = w != nullptr ? load_block(w + i, whole, mask) : wu;
        const __m256 g = _mm256_mul_ps(load_block(dy + i, whole, mask), wv);
        const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(load_block(x + i, whole, mask), m), rs);
        // (g - a) - xhat * b, as in the scalar kernel but with one fused rounding.
        return _mm256_mul_ps(rs, _mm256_fnmadd_ps(xhat, bv, _mm256_sub_ps(g, av)));
    });
}


// The channel-wise backward kernels work like the forward ones (column_kernels_avx2.cpp): rows
// in L1-sized tiles, each block of eight channels with its sums or constants in registers. From
// memory (see kPrefetchAhead) the sums ask for the next tile's lines as this tile's rows pass,
// and dx for the values kPrefetchAhead on. Native loop, AVX2, one thread: batch norm
// [32, 56, 56, 64] backward 4.26-4.51 -> 3.39-3.66 ms, group norm [8, 128, 128, 64] (32 groups)
// 6.36-6.62 -> 4.79-5.08 ms; two threads, batch norm 2.26-2.89 -> 1.81-2.47 ms (1.01-1.21x ->
// 1.19-1.49x oneDNN).
void column_backward_sums(const float *x, const float *dy, int64_t rows, int64_t cols,
                          const float *mean, const float *rstd, double *sum_dy,
                          double *sum_dy_xhat, bool from_memory) {
    const int64_t tile = column_tile_rows(cols);
    for (int64_t r0 = 0; r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 8) {
            const __m256i mask = tail_mask(cols - j);
            const bool whole = cols - j >= 8;
            __m256d m0, m1;
            load_halves_pd(mean + j, whole, mask, m0, m1);
            ColumnBlockSums d, g;
            // This block's line of each row of the next tile, asked for as the rows pass (the
            // blocks of a line's first eight columns ask for it): all of a tile's lines at once
            // overran the misses a core can keep in flight, and the loads waited behind them.
            const bool ask = from_memory && j % 16 == 0;
            for (int64_t r = r0; r < r1; ++r) {
                if (ask && r + tile < rows) {
                    _mm_prefetch(reinterpret_cast<const char *>(x + (r + tile) * cols + j), _MM_HINT_T0);
                    _mm_prefetch(reinterpret_cast<const char *>(dy + (r + tile) * cols + j), _MM_HINT_T0);
                }
                // Masked-off lanes load dy = 0, so they add nothing to either sum. Sum dy * xhat
                // is taken as rstd * sum dy * (x - mean), rstd being the column's constant.
                __m256d x0, x1, e0, e1;
                load_halves_pd(x + r * cols + j, whole, mask, x0, x1);
                load_halves_pd(dy + r * cols + j, whole, mask, e0, e1);
                d.lo = _mm256_add_pd(d.lo, e0);
                d.hi = _mm256_add_pd(d.hi, e1);
                g.lo = _mm256_fmadd_pd(e0, _mm256_sub_pd(x0, m0), g.lo);
                g.hi = _mm256_fmadd_pd(e1, _mm256_sub_pd(x1, m1), g.hi);
            }
            __m256d s0, s1;
            load_halves_pd(rstd + j, whole, mask, s0, s1);
            g.lo = _mm256_mul_pd(g.lo, s0);
            g.hi = _mm256_mul_pd(g.hi, s1);
            d.add_to(sum_dy + j, cols - j);
            g.add_to(sum_dy_xhat + j, cols - j);
        }
    }
}

void column_backward_dx(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols,
                        const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                        const float *k_0, bool stream, bool from_memory) {
    write_columns(dx, rows, cols, stream, [&](int64_t i, bool whole, __m256i mask, int64_t j) {
        if (from_memory) {
            prefetch_ahead(x, i, rows * cols);
            prefetch_ahead(dy, i, rows * cols);
        }
        const __m256 t = _mm256_fmadd_ps(load_block(dy + i, whole, mask), _mm256_loadu_ps(k_dy + j), _mm256_loadu_ps(k_0 + j));
        const __m256 d = _mm256_sub_ps(load_block(x + i, whole, mask), _mm256_loadu_ps(mean + j));
        return _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_loadu_ps(rstd + j)), _mm256_loadu_ps(k_x + j), t);
    });
}

void store_as_floats(const double *src, float *dst, int64_t n) {
    int64_t i = 0;
    // Eight at a time, one full-width store: four per 128-bit store took 70 against 46 ns for 768.
    for (; i + 8 <= n; i += 8) {
        const __m128 lo = _mm256_cvtpd_ps(_mm256_loadu_pd(src + i)), hi = _mm256_cvtpd_ps(_mm256_loadu_pd(src + i + 4));
        _mm256_storeu_ps(dst + i, _mm256_set_m128(hi, lo));
    }
    for (; i < n; ++i) dst[i] = static_cast<float>(src[i]);
}

}  // namespace norm4j::avx2
