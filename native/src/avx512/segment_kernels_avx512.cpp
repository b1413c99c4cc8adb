// AVX-512 kernels over contiguous segments: sums in double (each 16-float vector widened to two
// 8-double halves) and the f32 output pass. Lanes are combined in a fixed order, so results
// depend only on the input.
#include "../flag_dispatch.h"
#include "kernels_avx512.h"

namespace norm4j::avx512 {

double sum(const float *x, int64_t n) {
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd();
    __m512d a2 = _mm512_setzero_pd(), a3 = _mm512_setzero_pd();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        const __m512 v = _mm512_loadu_ps(x + i), w = _mm512_loadu_ps(x + i + 16);
        a0 = _mm512_add_pd(a0, low_pd(v));
        a1 = _mm512_add_pd(a1, high_pd(v));
        a2 = _mm512_add_pd(a2, low_pd(w));
        a3 = _mm512_add_pd(a3, high_pd(w));
    }
    for (; i < n; i += 16) {  // missing lanes load as zero and add nothing
        const __m512 v = load(x + i, tail_mask(n - i));
        a0 = _mm512_add_pd(a0, low_pd(v));
        a1 = _mm512_add_pd(a1, high_pd(v));
    }
    return reduce_add(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
}

namespace {

// Sums of (x - c)^2, and with kLinear of (x - c), over a segment, in four accumulators of each
// so the add and fma latencies do not bound the pass. add(i) takes the 32 values from i on,
// add_tail(i, m) the last, partial 16; finish() adds the totals into the caller's sums. Without
// kCentred, c is 0 and not subtracted (x - 0 is x exactly: the same bits, one operation less).
template <bool kLinear, bool kCentred = true>
struct DeviationSums {
    __m512d c;
    __m512d a0 = _mm512_setzero_pd(), a1 = _mm512_setzero_pd(), a2 = _mm512_setzero_pd(), a3 = _mm512_setzero_pd();
    __m512d q0 = _mm512_setzero_pd(), q1 = _mm512_setzero_pd(), q2 = _mm512_setzero_pd(), q3 = _mm512_setzero_pd();

    explicit DeviationSums(double centre) : c(_mm512_set1_pd(centre)) {}

    __m512d centred(__m512d v) const {
        if constexpr (kCentred) return _mm512_sub_pd(v, c);
        else return v;
    }

    void add(const float *x) {
        // Eight floats per load, widened as they are loaded: no shuffle to split a wide load.
        const __m512d d0 = centred(load8_pd(x)), d1 = centred(load8_pd(x + 8));
        const __m512d d2 = centred(load8_pd(x + 16)), d3 = centred(load8_pd(x + 24));
        if constexpr (kLinear) {
            a0 = _mm512_add_pd(a0, d0);
            a1 = _mm512_add_pd(a1, d1);
            a2 = _mm512_add_pd(a2, d2);
            a3 = _mm512_add_pd(a3, d3);
        }
        q0 = _mm512_fmadd_pd(d0, d0, q0);
        q1 = _mm512_fmadd_pd(d1, d1, q1);
        q2 = _mm512_fmadd_pd(d2, d2, q2);
        q3 = _mm512_fmadd_pd(d3, d3, q3);
    }

    void add_tail(const float *x, __mmask16 m) {
        const __m512 v = load(x, m);
        // Missing lanes would give 0 - c: zero them (by mask, so an infinite c gives no NaN).
        const __m512d d0 = _mm512_maskz_sub_pd(low_mask(m), low_pd(v), c);
        const __m512d d1 = _mm512_maskz_sub_pd(high_mask(m), high_pd(v), c);
        if constexpr (kLinear) {
            a0 = _mm512_add_pd(a0, d0);
            a1 = _mm512_add_pd(a1, d1);
        }
        q0 = _mm512_fmadd_pd(d0, d0, q0);
        q1 = _mm512_fmadd_pd(d1, d1, q1);
    }

    void finish(double *linear, double *squares) const {
        if constexpr (kLinear) *linear += reduce_add(_mm512_add_pd(_mm512_add_pd(a0, a1), _mm512_add_pd(a2, a3)));
        *squares += reduce_add(_mm512_add_pd(_mm512_add_pd(q0, q1), _mm512_add_pd(q2, q3)));
    }
};

template <bool kLinear, bool kCentred = true>
void deviation_sums(const float *x, int64_t n, double centre, double *linear, double *squares) {
    DeviationSums<kLinear, kCentred> s(centre);
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) s.add(x + i);
    for (; i < n; i += 16) s.add_tail(x + i, tail_mask(n - i));
    s.finish(linear, squares);
}

}  // namespace

double centred_square_sum(const float *x, int64_t n, double mean) {
    double squares = 0;
    deviation_sums<false>(x, n, mean, nullptr, &squares);
    return squares;
}

double square_sum(const float *x, int64_t n) {
    // centred_square_sum about 0 without the subtraction: the same bits (x - 0 is x).
    double squares = 0;
    deviation_sums<false, false>(x, n, 0.0, nullptr, &squares);
    return squares;
}

void pivoted_sums(const float *x, int64_t n, double pivot, double *s1, double *s2) {
    deviation_sums<true>(x, n, pivot, s1, s2);
}

namespace {

// ((x - hi) - lo) * rstd for 16 lanes.
inline __m512 centre(__m512 v, __m512 hi, __m512 lo, __m512 rs) {
    return _mm512_mul_ps(_mm512_sub_ps(_mm512_sub_ps(v, hi), lo), rs);
}

// The output of the sixteen values from i on (lanes in m): centred and scaled, then weighted and
// shifted where there is a weight and a bias. Without kCentred, hi and lo are 0 (RMS norm) and
// not subtracted (x - 0 is x exactly).
template <bool kWeight, bool kBias, bool kCentred = true>
inline __m512 normalized(const float *x, const float *w, const float *b, int64_t i, __mmask16 m, __m512 hi,
                         __m512 lo, __m512 rs) {
    __m512 t = kCentred ? centre(load(x + i, m), hi, lo, rs) : _mm512_mul_ps(load(x + i, m), rs);
    if constexpr (kWeight && kBias) t = _mm512_fmadd_ps(t, load(w + i, m), load(b + i, m));
    else if constexpr (kWeight) t = _mm512_mul_ps(t, load(w + i, m));
    else if constexpr (kBias) t = _mm512_add_ps(t, load(b + i, m));
    return t;
}

template <bool kWeight, bool kBias, bool kCentred>
void normalize_impl(const float *x, float *y, int64_t n, const CentringConstants &c,
                    const float *w, const float *b) {
    const __m512 hi = _mm512_set1_ps(c.mean_hi), lo = _mm512_set1_ps(c.mean_lo);
    const __m512 rs = _mm512_set1_ps(c.rstd);
    for (int64_t i = 0; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        store(y + i, m, normalized<kWeight, kBias, kCentred>(x, w, b, i, m, hi, lo, rs));
    }
}

// normalize_impl and deviation_sums of `next` in one loop: the same arithmetic in the same
// order, so the same bits, with the next segment's loads issued among this one's stores.
// Without kCentred the output's hi and lo and the sums' pivot are all 0 (RMS norm): neither is
// subtracted.
template <bool kWeight, bool kBias, bool kLinear, bool kCentred>
void normalize_then_sums_impl(const float *x, float *y, int64_t n, const CentringConstants &c,
                              const float *w, const float *b, const float *next, double pivot,
                              double *s1, double *s2) {
    const __m512 hi = _mm512_set1_ps(c.mean_hi), lo = _mm512_set1_ps(c.mean_lo);
    const __m512 rs = _mm512_set1_ps(c.rstd);
    auto out = [&](int64_t i, __mmask16 m) { store(y + i, m, normalized<kWeight, kBias, kCentred>(x, w, b, i, m, hi, lo, rs)); };
    DeviationSums<kLinear, kCentred> s(pivot);
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s.add(next + i);
        out(i, 0xFFFF);
        out(i + 16, 0xFFFF);
    }
    for (; i < n; i += 16) {
        s.add_tail(next + i, tail_mask(n - i));
        out(i, tail_mask(n - i));
    }
    s.finish(s1, s2);
}

}  // namespace

#include "../segment_entry_points.h"

void normalize_uniform(const float *x, float *y, int64_t n, const CentringConstants &c, float w,
                       float b, bool stream) {
    const __m512 hi = _mm512_set1_ps(c.mean_hi), lo = _mm512_set1_ps(c.mean_lo);
    const __m512 rs = _mm512_set1_ps(c.rstd);
    const __m512 wv = _mm512_set1_ps(w), bv = _mm512_set1_ps(b);
    write_row(y, n, stream, [&](int64_t i, __mmask16 m) {
        return _mm512_fmadd_ps(centre(load(x + i, m), hi, lo, rs), wv, bv);
    });
}

}  // namespace norm4j::avx512
