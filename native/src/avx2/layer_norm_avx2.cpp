// AVX2/FMA layer norm. Same numerics as the scalar kernel: the row statistics are
// accumulated in double over SIMD lanes (two passes: sum, then centred squares), the
// output is computed in f32 with the mean kept as a hi + lo pair (row_statistics.h).
// Lanes are combined in a fixed order, so results do not depend on anything but the input.
#include "../kernels.h"
#include "../row_statistics.h"
#include "simd_avx2.h"

namespace norm4j::avx2 {

namespace {

// Sum of a row in double: each 8-float vector is widened to two 4-double halves.
double row_sum(const float *x, int64_t n) {
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    __m256d a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256 v0 = _mm256_loadu_ps(x + i);
        __m256 v1 = _mm256_loadu_ps(x + i + 8);
        a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm256_castps256_ps128(v0)));
        a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm256_extractf128_ps(v0, 1)));
        a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm256_castps256_ps128(v1)));
        a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm256_extractf128_ps(v1, 1)));
    }
    if (i < n) {  // up to 15 left: masked loads leave the missing lanes at zero
        __m256 v0 = _mm256_maskload_ps(x + i, tail_mask(n - i));
        __m256 v1 = _mm256_maskload_ps(x + i + 8, tail_mask(n - i - 8));
        a0 = _mm256_add_pd(a0, _mm256_cvtps_pd(_mm256_castps256_ps128(v0)));
        a1 = _mm256_add_pd(a1, _mm256_cvtps_pd(_mm256_extractf128_ps(v0, 1)));
        a2 = _mm256_add_pd(a2, _mm256_cvtps_pd(_mm256_castps256_ps128(v1)));
        a3 = _mm256_add_pd(a3, _mm256_cvtps_pd(_mm256_extractf128_ps(v1, 1)));
    }
    return reduce_add(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
}

// Sum of (x - mean)^2 in double. Masked-off tail lanes are zeroed after centring so they
// add nothing.
double row_centred_square_sum(const float *x, int64_t n, double mean) {
    const __m256d m = _mm256_set1_pd(mean);
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), m);
        __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), m);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
        a1 = _mm256_fmadd_pd(d1, d1, a1);
    }
    if (i < n) {
        const __m256i mask = tail_mask(n - i);
        __m256 v = _mm256_maskload_ps(x + i, mask);
        __m256d d0 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(v)), m);
        __m256d d1 = _mm256_sub_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)), m);
        // Keep lanes by bit mask, not by multiplication, so an Inf or NaN stays what it is.
        __m128i lo_mask = _mm256_castsi256_si128(mask);
        __m128i hi_mask = _mm256_extracti128_si256(mask, 1);
        __m256d m0 = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(lo_mask));
        __m256d m1 = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(hi_mask));
        d0 = _mm256_and_pd(d0, m0);
        d1 = _mm256_and_pd(d1, m1);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
        a1 = _mm256_fmadd_pd(d1, d1, a1);
    }
    return reduce_add(_mm256_add_pd(a0, a1));
}

// y = ((x - hi) - lo) * rstd, then the optional affine, 8 lanes at a time.
template <bool kWeight, bool kBias>
void write_row(const float *x, float *y, int64_t n, const float *weight, const float *bias,
               const CentringConstants &c) {
    const __m256 hi = _mm256_set1_ps(c.mean_hi);
    const __m256 lo = _mm256_set1_ps(c.mean_lo);
    const __m256 rs = _mm256_set1_ps(c.rstd);
    auto apply = [&](__m256 v, int64_t i, __m256i mask, bool full) {
        __m256 t = _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(v, hi), lo), rs);
        if constexpr (kWeight || kBias) {
            __m256 w = kWeight ? (full ? _mm256_loadu_ps(weight + i)
                                       : _mm256_maskload_ps(weight + i, mask))
                               : _mm256_set1_ps(1.0f);
            __m256 b = kBias ? (full ? _mm256_loadu_ps(bias + i)
                                     : _mm256_maskload_ps(bias + i, mask))
                             : _mm256_setzero_ps();
            if constexpr (kWeight && kBias) t = _mm256_fmadd_ps(t, w, b);
            else if constexpr (kWeight) t = _mm256_mul_ps(t, w);
            else t = _mm256_add_ps(t, b);
        }
        return t;
    };
    int64_t i = 0;
    const __m256i all = _mm256_set1_epi32(-1);
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, apply(_mm256_loadu_ps(x + i), i, all, true));
    if (i < n) {
        const __m256i mask = tail_mask(n - i);
        _mm256_maskstore_ps(y + i, mask, apply(_mm256_maskload_ps(x + i, mask), i, mask, false));
    }
}

}  // namespace

void layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                        const float *weight, const float *bias, float eps, float *mean,
                        float *rstd) {
    const auto writer = weight != nullptr ? (bias != nullptr ? write_row<true, true>
                                                             : write_row<true, false>)
                                          : (bias != nullptr ? write_row<false, true>
                                                             : write_row<false, false>);
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        const double m = row_sum(xr, cols) / static_cast<double>(cols);
        const double var = row_centred_square_sum(xr, cols, m) / static_cast<double>(cols);
        const CentringConstants c = centring_constants(m, var, eps);
        store_statistics(mean, rstd, r, m, c);
        writer(xr, y + r * cols, cols, weight, bias, c);
    }
}

}  // namespace norm4j::avx2
