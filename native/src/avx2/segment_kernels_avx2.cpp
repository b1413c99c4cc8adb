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

// Sums of (x - c)^2, and with kLinear of (x - c), over a segment, in four accumulators of each
// so the add and fma latencies do not bound the pass. add(x) takes the 16 values from x on,
// add_tail(x, n) the last n < 16 (in masked blocks of eight); finish() adds the totals into the
// caller's sums. Without kCentred, c is 0 and not subtracted (x - 0 is x exactly: the same bits,
// one operation less).
template <bool kLinear, bool kCentred = true>
struct DeviationSums {
    __m256d c;
    __m256d a0 = _mm256_setzero_pd(), a1 = _mm256_setzero_pd(), a2 = _mm256_setzero_pd(), a3 = _mm256_setzero_pd();
    __m256d q0 = _mm256_setzero_pd(), q1 = _mm256_setzero_pd(), q2 = _mm256_setzero_pd(), q3 = _mm256_setzero_pd();

    explicit DeviationSums(double centre) : c(_mm256_set1_pd(centre)) {}

    __m256d centred(__m256d v) const {
        if constexpr (kCentred) return _mm256_sub_pd(v, c);
        else return v;
    }

    void add(const float *x) {
        const __m256d d0 = centred(load4_pd(x)), d1 = centred(load4_pd(x + 4));
        const __m256d d2 = centred(load4_pd(x + 8)), d3 = centred(load4_pd(x + 12));
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

    void add_tail(const float *x, int64_t n) {
        for (int64_t i = 0; i < n; i += 8) {
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
    }

    void finish(double *linear, double *squares) const {
        if constexpr (kLinear) *linear += reduce_add(_mm256_add_pd(_mm256_add_pd(a0, a1), _mm256_add_pd(a2, a3)));
        *squares += reduce_add(_mm256_add_pd(_mm256_add_pd(q0, q1), _mm256_add_pd(q2, q3)));
    }
};

template <bool kLinear, bool kCentred = true>
void deviation_sums(const float *x, int64_t n, double centre, double *linear, double *squares) {
    DeviationSums<kLinear, kCentred> s(centre);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) s.add(x + i);
    s.add_tail(x + i, n - i);
    s.finish(linear, squares);
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
    // centred_square_sum about 0 without the subtraction: the same bits (x - 0 is x).
    double squares = 0;
    deviation_sums<false, false>(x, n, 0.0, nullptr, &squares);
    return squares;
}

namespace {

// ((x - hi) - lo) * rstd for 8 lanes.
inline __m256 centre(__m256 v, __m256 hi, __m256 lo, __m256 rs) {
    return _mm256_mul_ps(_mm256_sub_ps(_mm256_sub_ps(v, hi), lo), rs);
}

// The output of the eight values from i on (lanes in mask where not whole): centred and scaled,
// then weighted and shifted where there is a weight and a bias. Without kCentred, hi and lo are
// 0 (RMS norm) and not subtracted (x - 0 is x exactly).
template <bool kWeight, bool kBias, bool kCentred = true>
inline __m256 normalized(const float *x, const float *w, const float *b, int64_t i, bool whole, __m256i mask,
                         __m256 hi, __m256 lo, __m256 rs) {
    const __m256 v = load_block(x + i, whole, mask);
    __m256 t = kCentred ? centre(v, hi, lo, rs) : _mm256_mul_ps(v, rs);
    if constexpr (kWeight && kBias) t = _mm256_fmadd_ps(t, load_block(w + i, whole, mask), load_block(b + i, whole, mask));
    else if constexpr (kWeight) t = _mm256_mul_ps(t, load_block(w + i, whole, mask));
    else if constexpr (kBias) t = _mm256_add_ps(t, load_block(b + i, whole, mask));
    return t;
}

template <bool kWeight, bool kBias, bool kCentred>
void normalize_impl(const float *x, float *y, int64_t n, const CentringConstants &c,
                    const float *w, const float *b) {
    const __m256 hi = _mm256_set1_ps(c.mean_hi), lo = _mm256_set1_ps(c.mean_lo), rs = _mm256_set1_ps(c.rstd);
    write_row(y, n, false, [&](int64_t i, bool whole, __m256i mask) {
        return normalized<kWeight, kBias, kCentred>(x, w, b, i, whole, mask, hi, lo, rs);
    });
}

// normalize_impl and deviation_sums of `next` in one loop: the same arithmetic in the same
// order, so the same bits, with the next segment's loads issued among this one's stores (as the
// AVX-512 pass). Without kCentred the output's hi and lo and the sums' pivot are all 0 (RMS
// norm): neither is subtracted.
template <bool kWeight, bool kBias, bool kLinear, bool kCentred>
void normalize_then_sums_impl(const float *x, float *y, int64_t n, const CentringConstants &c,
                              const float *w, const float *b, const float *next, double pivot,
                              double *s1, double *s2) {
    const __m256 hi = _mm256_set1_ps(c.mean_hi), lo = _mm256_set1_ps(c.mean_lo), rs = _mm256_set1_ps(c.rstd);
    const __m256i all = _mm256_set1_epi32(-1);
    auto out = [&](int64_t i) {
        _mm256_storeu_ps(y + i, normalized<kWeight, kBias, kCentred>(x, w, b, i, true, all, hi, lo, rs));
    };
    DeviationSums<kLinear, kCentred> s(pivot);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s.add(next + i);
        out(i);
        out(i + 8);
    }
    s.add_tail(next + i, n - i);
    for (; i < n; i += 8) {
        const __m256i mask = tail_mask(n - i);
        const bool whole = i + 8 <= n;
        store_block(y + i, whole, mask, normalized<kWeight, kBias, kCentred>(x, w, b, i, whole, mask, hi, lo, rs));
    }
    s.finish(s1, s2);
}

}  // namespace

#include "../segment_entry_points.h"

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
}

}  // namespace norm4j::avx2
