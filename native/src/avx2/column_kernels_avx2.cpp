// AVX2 kernels over the columns of a row-major [rows, cols] matrix (channels-last data):
// eight channels per vector, accumulators in double kept per column in the caller's array.
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

void column_sums(const float *x, int64_t rows, int64_t cols, double *acc) {
    const int64_t full = cols & ~int64_t{7};
    const DoubleMasks tail(cols - full);
    const __m256i fmask = tail_mask(cols - full);
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        for (int64_t j = 0; j < full; j += 8) {
            const __m256 v = _mm256_loadu_ps(xr + j);
            _mm256_storeu_pd(acc + j, _mm256_add_pd(_mm256_loadu_pd(acc + j), low_pd(v)));
            _mm256_storeu_pd(acc + j + 4, _mm256_add_pd(_mm256_loadu_pd(acc + j + 4), high_pd(v)));
        }
        if (full < cols) {
            const __m256 v = _mm256_maskload_ps(xr + full, fmask);
            double *a = acc + full;
            _mm256_maskstore_pd(a, tail.lo, _mm256_add_pd(_mm256_maskload_pd(a, tail.lo), low_pd(v)));
            _mm256_maskstore_pd(a + 4, tail.hi,
                                _mm256_add_pd(_mm256_maskload_pd(a + 4, tail.hi), high_pd(v)));
        }
    }
}

void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc) {
    const int64_t full = cols & ~int64_t{7};
    const DoubleMasks tail(cols - full);
    const __m256i fmask = tail_mask(cols - full);
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        for (int64_t j = 0; j < full; j += 8) {
            const __m256 v = _mm256_loadu_ps(xr + j);
            const __m256d d0 = _mm256_sub_pd(low_pd(v), _mm256_loadu_pd(mean + j));
            const __m256d d1 = _mm256_sub_pd(high_pd(v), _mm256_loadu_pd(mean + j + 4));
            _mm256_storeu_pd(acc + j, _mm256_fmadd_pd(d0, d0, _mm256_loadu_pd(acc + j)));
            _mm256_storeu_pd(acc + j + 4, _mm256_fmadd_pd(d1, d1, _mm256_loadu_pd(acc + j + 4)));
        }
        if (full < cols) {
            const __m256 v = _mm256_maskload_ps(xr + full, fmask);
            double *a = acc + full;
            const double *m = mean + full;
            const __m256d d0 = _mm256_sub_pd(low_pd(v), _mm256_maskload_pd(m, tail.lo));
            const __m256d d1 = _mm256_sub_pd(high_pd(v), _mm256_maskload_pd(m + 4, tail.hi));
            _mm256_maskstore_pd(a, tail.lo, _mm256_fmadd_pd(d0, d0, _mm256_maskload_pd(a, tail.lo)));
            _mm256_maskstore_pd(a + 4, tail.hi,
                                _mm256_fmadd_pd(d1, d1, _mm256_maskload_pd(a + 4, tail.hi)));
        }
    }
}

void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *lo, const float *rstd, const float *w, const float *b) {
    const __m256 one = _mm256_set1_ps(1.0f);
    const __m256 zero = _mm256_setzero_ps();
    auto block = [&](const float *xr, float *yr, int64_t j, __m256i mask) {
        const __m256 h = _mm256_maskload_ps(hi + j, mask);
        const __m256 l = _mm256_maskload_ps(lo + j, mask);
        const __m256 rs = _mm256_maskload_ps(rstd + j, mask);
        const __m256 v = _mm256_maskload_ps(xr + j, mask);
        __m256 t = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(v, h), l), rs);
        const __m256 wv = w != nullptr ? _mm256_maskload_ps(w + j, mask) : one;
        const __m256 bv = b != nullptr ? _mm256_maskload_ps(b + j, mask) : zero;
        if (w != nullptr && b != nullptr) t = _mm256_fmadd_ps(t, wv, bv);
        else if (w != nullptr) t = _mm256_mul_ps(t, wv);
        else if (b != nullptr) t = _mm256_add_ps(t, bv);
        _mm256_maskstore_ps(yr + j, mask, t);
    };
    const __m256i all = _mm256_set1_epi32(-1);
    const int64_t full = cols & ~int64_t{7};
    const __m256i tail = tail_mask(cols - full);
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        for (int64_t j = 0; j < full; j += 8) block(xr, yr, j, all);
        if (full < cols) block(xr, yr, full, tail);
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
