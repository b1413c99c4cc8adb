// AVX2 kernels over the columns of a row-major [rows, cols] matrix (channels-last data):
// eight channels per vector, accumulators in double kept per column in the caller's array.
#include <algorithm>

#include "kernels_avx2.h"

namespace norm4j::avx2 {

namespace {

// 64-bit lane masks for the low and high four of the first n (0..8) columns.
struct DoubleMasks {
    __m256i lo, hi;
    explicit DoubleMasks(int64_t n) {
        const __m256i m = tail_mask(n);
        lo = _mm256_castpd_si256(low_mask_pd(m));
        hi = _mm256_castpd_si256(high_mask_pd(m));
    }
};

}  // namespace

// Rows are taken in tiles that fit in the L1 cache (32 KiB); within a tile each block of eight
// columns keeps its sums (or its normalization constants) in registers across the rows, instead
// of loading and storing per-column arrays on every row.
namespace {

// The accumulators of one block of eight columns (two halves of four doubles).
struct ColumnBlockSums {
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();

    void add_to(double *acc, int64_t width) const {
        const DoubleMasks m(width);
        _mm256_maskstore_pd(acc, m.lo, _mm256_add_pd(_mm256_maskload_pd(acc, m.lo), lo));
        _mm256_maskstore_pd(acc + 4, m.hi, _mm256_add_pd(_mm256_maskload_pd(acc + 4, m.hi), hi));
    }
};

}  // namespace

void column_sums(const float *x, int64_t rows, int64_t cols, double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 8) {
            const __m256i mask = tail_mask(cols - j);
            const bool whole = cols - j >= 8;
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const __m256 v = load_block(x + r * cols + j, whole, mask);
                s.lo = _mm256_add_pd(s.lo, low_pd(v));
                s.hi = _mm256_add_pd(s.hi, high_pd(v));
            }
            s.add_to(acc + j, cols - j);
        }
    }
}

void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 8) {
            const DoubleMasks dm(cols - j);
            const __m256i mask = tail_mask(cols - j);
            const __m256d m0 = _mm256_maskload_pd(mean + j, dm.lo), m1 = _mm256_maskload_pd(mean + j + 4, dm.hi);
            const bool whole = cols - j >= 8;
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const __m256 v = load_block(x + r * cols + j, whole, mask);
                // Masked-off lanes: 0 - 0 (the mean loads as 0 there too) adds nothing.
                const __m256d d0 = _mm256_sub_pd(low_pd(v), m0), d1 = _mm256_sub_pd(high_pd(v), m1);
                s.lo = _mm256_fmadd_pd(d0, d0, s.lo);
                s.hi = _mm256_fmadd_pd(d1, d1, s.hi);
            }
            s.add_to(acc + j, cols - j);
        }
    }
}

void column_pivoted_sums(const float *x, int64_t rows, int64_t cols, const float *pivot,
                         double *s1, double *s2) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 8) {
            const __m256i mask = tail_mask(cols - j);
            const bool whole = cols - j >= 8;
            const __m256 pv = load_block(pivot + j, whole, mask);
            const __m256d p0 = low_pd(pv), p1 = high_pd(pv);
            ColumnBlockSums a, q;
            for (int64_t r = r0; r < r1; ++r) {
                const __m256 v = load_block(x + r * cols + j, whole, mask);
                // Masked-off lanes: 0 - 0 (the pivot loads as 0 there too) adds nothing.
                const __m256d d0 = _mm256_sub_pd(low_pd(v), p0), d1 = _mm256_sub_pd(high_pd(v), p1);
                a.lo = _mm256_add_pd(a.lo, d0);
                a.hi = _mm256_add_pd(a.hi, d1);
                q.lo = _mm256_fmadd_pd(d0, d0, q.lo);
                q.hi = _mm256_fmadd_pd(d1, d1, q.hi);
            }
            a.add_to(s1 + j, cols - j);
            q.add_to(s2 + j, cols - j);
        }
    }
}

void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *lo, const float *rstd, const float *w, const float *b) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 8) {
            const __m256i mask = tail_mask(cols - j);
            const __m256 h = _mm256_maskload_ps(hi + j, mask), l = _mm256_maskload_ps(lo + j, mask);
            const __m256 rs = _mm256_maskload_ps(rstd + j, mask);
            const __m256 wv = w != nullptr ? _mm256_maskload_ps(w + j, mask) : _mm256_set1_ps(1.0f);
            const __m256 bv = b != nullptr ? _mm256_maskload_ps(b + j, mask) : _mm256_setzero_ps();
            const bool whole = cols - j >= 8;
            for (int64_t r = r0; r < r1; ++r) {
                const __m256 v = load_block(x + r * cols + j, whole, mask);
                __m256 t = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(v, h), l), rs);
                if (w != nullptr && b != nullptr) t = _mm256_fmadd_ps(t, wv, bv);
                else if (w != nullptr) t = _mm256_mul_ps(t, wv);
                else if (b != nullptr) t = _mm256_add_ps(t, bv);
                store_block(y + r * cols + j, whole, mask, t);
            }
        }
    }
}

void column_min_max(const float *x, int64_t rows, int64_t cols, float *mn, float *mx) {
    const int64_t full = cols & ~int64_t{7};
    const __m256i tail = tail_mask(cols - full);
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        // min_ps(v, m) returns m when v is NaN: NaN values are skipped, as in the scalar code.
        for (int64_t j = 0; j < full; j += 8) {
            const __m256 v = _mm256_loadu_ps(xr + j);
            _mm256_storeu_ps(mn + j, _mm256_min_ps(v, _mm256_loadu_ps(mn + j)));
            _mm256_storeu_ps(mx + j, _mm256_max_ps(v, _mm256_loadu_ps(mx + j)));
        }
        if (full < cols) {
            const __m256 v = _mm256_maskload_ps(xr + full, tail);
            _mm256_maskstore_ps(mn + full, tail, _mm256_min_ps(v, _mm256_maskload_ps(mn + full, tail)));
            _mm256_maskstore_ps(mx + full, tail, _mm256_max_ps(v, _mm256_maskload_ps(mx + full, tail)));
        }
    }
}

void scale_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *sub,
                   const float *scale, const float *add) {
    const __m256i all = _mm256_set1_epi32(-1);
    const int64_t full = cols & ~int64_t{7};
    const __m256i tail = tail_mask(cols - full);
    auto block = [&](const float *xr, float *yr, int64_t j, __m256i mask) {
        const __m256 v = _mm256_maskload_ps(xr + j, mask);
        const __m256 d = _mm256_sub_ps(v, _mm256_maskload_ps(sub + j, mask));
        const __m256 t = _mm256_mul_ps(d, _mm256_maskload_ps(scale + j, mask));  // no fma: same bits as scalar
        _mm256_maskstore_ps(yr + j, mask, _mm256_add_ps(t, _mm256_maskload_ps(add + j, mask)));
    };
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < full; j += 8) block(x + r * cols, y + r * cols, j, all);
        if (full < cols) block(x + r * cols, y + r * cols, full, tail);
    }
}

}  // namespace norm4j::avx2
