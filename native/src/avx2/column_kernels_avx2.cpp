// AVX2 kernels over the columns of a row-major [rows, cols] matrix (channels-last data):
// eight channels per vector, accumulators in double kept per column in the caller's array.
//
// Rows are taken in tiles that fit in the L1 cache (32 KiB); within a tile each block of eight
// columns keeps its sums (or its normalization constants) in registers across the rows, instead
// of loading and storing per-column arrays on every row.
#include <algorithm>

#include "../flag_dispatch.h"
#include "kernels_avx2.h"

namespace norm4j::avx2 {

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

namespace {

// Narrow rows (a few cache lines) are read in memory order, each row's deviations added straight
// into the per-column sums (L1-resident); wide ones in tiles with the sums of a block of eight
// columns in registers, which saves those loads and stores once a row spans many blocks.
constexpr int64_t kNarrowColumns = 256;

void column_pivoted_sums_tiled(const float *x, int64_t rows, int64_t cols, const float *pivot,
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

}  // namespace

void column_pivoted_sums(const float *x, int64_t rows, int64_t cols, const float *pivot,
                         double *s1, double *s2) {
    if (cols > kNarrowColumns) {
        column_pivoted_sums_tiled(x, rows, cols, pivot, s1, s2);
        return;
    }
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += 8) {
            const __m256i mask = tail_mask(cols - j);
            const bool whole = cols - j >= 8;
            const __m256 pv = load_block(pivot + j, whole, mask);
            const __m256 v = load_block(x + r * cols + j, whole, mask);
            // Masked-off lanes: 0 - 0 (the pivot loads as 0 there too) adds nothing.
            ColumnBlockSums d, q;
            d.lo = _mm256_sub_pd(low_pd(v), low_pd(pv));
            d.hi = _mm256_sub_pd(high_pd(v), high_pd(pv));
            q.lo = _mm256_mul_pd(d.lo, d.lo);
            q.hi = _mm256_mul_pd(d.hi, d.hi);
            d.add_to(s1 + j, cols - j);
            q.add_to(s2 + j, cols - j);
        }
    }
}

void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *scale, const float *shift, bool stream) {
    write_columns(y, rows, cols, stream, [&](int64_t i, bool whole, __m256i mask, int64_t j) {
        if (stream) prefetch_ahead(x, i, rows * cols);
        const __m256 d = _mm256_sub_ps(load_block(x + i, whole, mask), _mm256_loadu_ps(hi + j));
        return _mm256_fmadd_ps(d, _mm256_loadu_ps(scale + j), _mm256_loadu_ps(shift + j));
    });
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
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += 8) {
            const __m256i mask = tail_mask(cols - j);
            const bool whole = cols - j >= 8;
            const __m256 d = _mm256_sub_ps(load_block(x + r * cols + j, whole, mask), load_block(sub + j, whole, mask));
            const __m256 t = _mm256_mul_ps(d, load_block(scale + j, whole, mask));  // no fma: same bits as scalar
            store_block(y + r * cols + j, whole, mask, _mm256_add_ps(t, load_block(add + j, whole, mask)));
        }
    }
}

}  // namespace norm4j::avx2
