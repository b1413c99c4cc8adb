// AVX2/FMA kernels over contiguous segments: sums in double (each 8-float vector widened
// to two 4-double halves) and the f32 output pass. Lanes are combined in a fixed order,
// so results depend only on the input.
#include "../flag_dispatch.h"
#include "kernels_avx2.h"

namespace norm4j::avx2 {

double sum(const float *x, int64_t n) {
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    __m256d a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    auto add = [&](__m256 v0, __m256 v1) {
        a0 = _mm256_add_pd(a0, low_pd(v0));
        a1 = _mm256_add_pd(a1, high_pd(v0));
        a2 = _mm256_add_pd(a2, low_pd(v1));
        a3 = _mm256_add_pd(a3, high_pd(v1));
    };
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) add(_mm256_loadu_ps(x + i), _mm256_loadu_ps(x + i + 8));
    if (i < n) {  // up to 15 left: masked loads read nothing past the end and give zeros
        add(_mm256_maskload_ps(x + i, tail_mask(n - i)), _mm256_maskload_ps(x + i + 8, tail_mask(n - i - 8)));
    }
    return reduce_add(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
}

namespace {

// Sum of (x - c)^2, and with kLinear also of (x - c), over a segment; four accumulators of each
// so the add and fma latencies do not bound the pass.
template <bool kLinear>
void deviation_sums(const float *x, int64_t n, double centre, double *linear, double *squares) {
    const __m256d c = _mm256_set1_pd(centre);
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    __m256d q0 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd(), q2 = _mm256_setzero_pd(), q3 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 v = _mm256_loadu_ps(x + i), w = _mm256_loadu_ps(x + i + 8);
        const __m256d d0 = _mm256_sub_pd(low_pd(v), c), d1 = _mm256_sub_pd(high_pd(v), c);
        const __m256d d2 = _mm256_sub_pd(low_pd(w), c), d3 = _mm256_sub_pd(high_pd(w), c);
        if constexpr (kLinear) {
            a0 = _mm256_add_pd(a0, d0);
            a1 = _mm256_add_pd(a1, d1);
            a2 = _mm256_add_pd(a2, d2);
            a3 = _mm256_add_pd(a3, d3);
        }
        q0 = _mm256_fmadd_pd(d0, d0, q0);
        q1 = _mm256_fmadd_pd(d1, d1, q1);
        q2 = _mm256_fmadd_pd(d2, d2, q2);
        q3 = _mm256_fmadd_pd(d3, d3, q3);
    }
    for (; i < n; i += 8) {
        const __m256i mask = tail_mask(n - i);
        const __m256 v = _mm256_maskload_ps(x + i, mask);
        // Missing lanes are zero, so x - c = -c there: clear them by bit mask (not by
        // multiplying, which would turn an infinite c into NaN where the data has none).
        const __m256d d0 = _mm256_and_pd(_mm256_sub_pd(low_pd(v), c), low_mask_pd(mask));
        const __m256d d1 = _mm256_and_pd(_mm256_sub_pd(high_pd(v), c), high_mask_pd(mask));
        if constexpr (kLinear) {
            a0 = _mm256_add_pd(a0, d0);
            a1 = _mm256_add_pd(a1, d1);
        }
        q0 = _mm256_fmadd_pd(d0, d0, q0);
        q1 = _mm256_fmadd_pd(d1, d1, q1);
    }
    if constexpr (kLinear) *linear += reduce_add(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
    *squares += reduce_add(_mm256_add_pd(_mm256_add_pd(q0, q1), _mm256_add_pd(q2, q3)));
}

}  // namespace

double centred_square_sum(const float *x, int64_t n, double mean) {
    double squares = 0;
    deviation_sums<false>(x, n, mean, nullptr, &squares);
    return squares;
}

void pivoted_sums(const float *x, int64_t n, double pivot, double *s1, double *s2) {
    deviation_sums<true>(x, n, pivot, s1, s2);
}

double square_sum(const float *x, int64_t n) {
    // Four accumulators, as in centred_square_sum: the fma latency would otherwise bound it.
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd();
    __m256d a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 v = _mm256_loadu_ps(x + i), w = _mm256_loadu_ps(x + i + 8);
        const __m256d d0 = low_pd(v), d1 = high_pd(v), d2 = low_pd(w), d3 = high_pd(w);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
        a1 = _mm256_fmadd_pd(d1, d1, a1);
        a2 = _mm256_fmadd_pd(d2, d2, a2);
        a3 = _mm256_fmadd_pd(d3, d3, a3);
    }
    for (; i < n; i += 8) {  // missing lanes load as zero and add nothing
        const __m256 v = _mm256_maskload_ps(x + i, tail_mask(n - i));
        const __m256d d0 = low_pd(v), d1 = high_pd(v);
        a0 = _mm256_fmadd_pd(d0, d0, a0);
        a1 = _mm256_fmadd_pd(d1, d1, a1);
    }
    return reduce_add(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
}

namespace {

// ((x - hi) - lo) * rstd for 8 lanes.
inline __m256 centre(__m256 v, __m256 hi, __m256 lo, __m256 rs) {
    return _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(v, hi), lo), rs);
}

template <bool kWeight, bool kBias>
void normalize_impl(const float *x, float *y, int64_t n, const CentringConstants &c,
                    const float *w, const float *b) {
    const __m256 hi = _mm256_set1_ps(c.mean_hi);
    const __m256 lo = _mm256_set1_ps(c.mean_lo);
    const __m256 rs = _mm256_set1_ps(c.rstd);
    auto affine = [&](__m256 t, __m256 wv, __m256 bv) {
        if constexpr (kWeight && kBias) return _mm256_fmadd_ps(t, wv, bv);
        else if constexpr (kWeight) return _mm256_mul_ps(t, wv);
        else if constexpr (kBias) return _mm256_add_ps(t, bv);
        else return t;
    };
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 wv = kWeight ? _mm256_loadu_ps(w + i) : _mm256_setzero_ps();
        const __m256 bv = kBias ? _mm256_loadu_ps(b + i) : _mm256_setzero_ps();
        _mm256_storeu_ps(y + i, affine(centre(_mm256_loadu_ps(x + i), hi, lo, rs), wv, bv));
    }
    if (i < n) {
        const __m256i mask = tail_mask(n - i);
        const __m256 wv = kWeight ? _mm256_maskload_ps(w + i, mask) : _mm256_setzero_ps();
        const __m256 bv = kBias ? _mm256_maskload_ps(b + i, mask) : _mm256_setzero_ps();
        const __m256 t = centre(_mm256_maskload_ps(x + i, mask), hi, lo, rs);
        _mm256_maskstore_ps(y + i, mask, affine(t, wv, bv));
    }
}

}  // namespace

void normalize(const float *x, float *y, int64_t n, const CentringConstants &c, const float *w,
               const float *b) {
    with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) {
        normalize_impl<kw.value, kb.value>(x, y, n, c, w, b);
    });
}

#include "../unfused_kernels.h"  // the fused and grouped passes are AVX-512's

void normalize_uniform(const float *x, float *y, int64_t n, const CentringConstants &c, float w,
                       float b, bool stream) {
    const __m256 hi = _mm256_set1_ps(c.mean_hi);
    const __m256 lo = _mm256_set1_ps(c.mean_lo);
    const __m256 rs = _mm256_set1_ps(c.rstd);
    const __m256 wv = _mm256_set1_ps(w);
    const __m256 bv = _mm256_set1_ps(b);
    write_row(y, n, stream, [&](int64_t i, bool whole, __m256i mask) {
        return _mm256_fmadd_ps(centre(load_block(x + i, whole, mask), hi, lo, rs), wv, bv);
    });
    if (stream) _mm_sfence();
}

}  // namespace norm4j::avx2
