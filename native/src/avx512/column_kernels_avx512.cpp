// AVX-512 kernels over the columns of a row-major [rows, cols] matrix (channels-last data):
// sixteen channels per vector, accumulators in double kept per column in the caller's array.
//
// Sums take the rows in L1-sized tiles, each block of sixteen columns (a whole cache line) with
// its sums in registers across the tile's rows. Outputs walk the rows in memory order, the
// per-column constants (a few KiB) staying in L1: x and y then stream through once in order,
// which the prefetchers and the store path handle far better than a tile walked block by block.
#include <algorithm>

#include "../flag_dispatch.h"
#include "kernels_avx512.h"

namespace norm4j::avx512 {

void column_sums(const float *x, int64_t rows, int64_t cols, double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const __m512 v = load(x + r * cols + j, m);
                s.lo = _mm512_add_pd(s.lo, low_pd(v));
                s.hi = _mm512_add_pd(s.hi, high_pd(v));
            }
            s.add_to(acc + j, m);
        }
    }
}

void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __mmask8 l = low_mask(m), h = high_mask(m);
            const __m512d m0 = load_pd(mean + j, l), m1 = load_pd(mean + j + 8, h);
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const __m512 v = load(x + r * cols + j, m);
                // Masked-off lanes: 0 - 0 (the mean loads as 0 there too) adds nothing.
                const __m512d d0 = _mm512_sub_pd(low_pd(v), m0), d1 = _mm512_sub_pd(high_pd(v), m1);
                s.lo = _mm512_fmadd_pd(d0, d0, s.lo);
                s.hi = _mm512_fmadd_pd(d1, d1, s.hi);
            }
            s.add_to(acc + j, m);
        }
    }
}

void column_pivoted_sums(const float *x, int64_t rows, int64_t cols, const float *pivot,
                         double *s1, double *s2) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __m512 pv = load(pivot + j, m);
            const __m512d p0 = low_pd(pv), p1 = high_pd(pv);
            ColumnBlockSums a, q;
            for (int64_t r = r0; r < r1; ++r) {
                const __m512 v = load(x + r * cols + j, m);
                const __m512d d0 = _mm512_sub_pd(low_pd(v), p0), d1 = _mm512_sub_pd(high_pd(v), p1);
                a.lo = _mm512_add_pd(a.lo, d0);
                a.hi = _mm512_add_pd(a.hi, d1);
                q.lo = _mm512_fmadd_pd(d0, d0, q.lo);
                q.hi = _mm512_fmadd_pd(d1, d1, q.hi);
            }
            a.add_to(s1 + j, m);
            q.add_to(s2 + j, m);
        }
    }
}

namespace {

template <bool kWeight, bool kBias>
void normalize_columns_impl(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                            const float *lo, const float *rstd, const float *w, const float *b) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __m512 d = _mm512_sub_ps(_mm512_sub_ps(load(x + r * cols + j, m), load(hi + j, m)), load(lo + j, m));
            __m512 t = _mm512_mul_ps(d, load(rstd + j, m));
            if constexpr (kWeight && kBias) t = _mm512_fmadd_ps(t, load(w + j, m), load(b + j, m));
            else if constexpr (kWeight) t = _mm512_mul_ps(t, load(w + j, m));
            else if constexpr (kBias) t = _mm512_add_ps(t, load(b + j, m));
            store(y + r * cols + j, m, t);
        }
    }
}

}  // namespace

void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *lo, const float *rstd, const float *w, const float *b) {
    with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) {
        normalize_columns_impl<kw.value, kb.value>(x, y, rows, cols, hi, lo, rstd, w, b);
    });
}

void column_min_max(const float *x, int64_t rows, int64_t cols, float *mn, float *mx) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __m512 v = load(x + r * cols + j, m);
            // min_ps(v, m) returns m when v is NaN: NaN values are skipped, as in the scalar code.
            store(mn + j, m, _mm512_min_ps(v, load(mn + j, m)));
            store(mx + j, m, _mm512_max_ps(v, load(mx + j, m)));
        }
    }
}

void scale_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *sub,
                   const float *scale, const float *add) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __m512 d = _mm512_sub_ps(load(x + r * cols + j, m), load(sub + j, m));
            const __m512 t = _mm512_mul_ps(d, load(scale + j, m));  // no fma: same bits as scalar
            store(y + r * cols + j, m, _mm512_add_ps(t, load(add + j, m)));
        }
    }
}

}  // namespace norm4j::avx512
