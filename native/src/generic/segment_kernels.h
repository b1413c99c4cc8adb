// The segment kernels (kernels.h: sum through normalize_uniform), written once over an ISA's
// vector layer: sums in double, each vector of floats widened to two of doubles, in four
// accumulators so that the add and fma latencies do not bound the pass; lanes combined in a
// fixed order, so results depend only on the input. Included inside the ISA's namespace, after
// its vector layer and vector_helpers.h; no include guard, as for kernel_functions.h.

double sum(const float *x, int64_t n) {
    Doubles a0 = zero_doubles(), a1 = zero_doubles(), a2 = zero_doubles(), a3 = zero_doubles();
    int64_t i = 0;
    for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
        const Floats v = loadu(x + i), w = loadu(x + i + kLanes);
        a0 = add(a0, widen_low(v));
        a1 = add(a1, widen_high(v));
        a2 = add(a2, widen_low(w));
        a3 = add(a3, widen_high(w));
    }
    for (; i < n; i += kLanes) {  // missing lanes load as zero and add nothing
        const Floats v = load(x + i, first_lanes(n - i));
        a0 = add(a0, widen_low(v));
        a1 = add(a1, widen_high(v));
    }
    return reduce_add(add(add(a0, a1), add(a2, a3)));
}

namespace {

// Sums of (x - c)^2, and with kLinear of (x - c), over a segment stored as T. add_values(x) takes
// the 2 kLanes values from x on, add_tail(x, m) a last, partial vector; finish() adds the totals
// into the caller's sums. The accumulators stay in T's pair order (vector_helpers.h: load_pair)
// until finish puts them in order, so every storage type sums each value into the same lane in
// the same order: the same bits as its widened f32 values. Without kCentred, c is 0 and not
// subtracted (x - 0 is x exactly: the same bits, one operation less).
template <typename T, bool kLinear, bool kCentred = true>
struct DeviationSums {
    Doubles c;
    Doubles a0 = zero_doubles(), a1 = zero_doubles(), a2 = zero_doubles(), a3 = zero_doubles();
    Doubles q0 = zero_doubles(), q1 = zero_doubles(), q2 = zero_doubles(), q3 = zero_doubles();

    explicit DeviationSums(double centre) : c(doubles(centre)) {}

    Doubles centred(Doubles v) const {
        if constexpr (kCentred) return sub(v, c);
        else return v;
    }

    void add_values(const T *x) {
        Doubles v0, v1, v2, v3;
        HalfLanes unused0, unused1;
        load_pair(x, all_lanes(), v0, v1, unused0, unused1);
        load_pair(x + kLanes, all_lanes(), v2, v3, unused0, unused1);
        const Doubles d0 = centred(v0), d1 = centred(v1), d2 = centred(v2), d3 = centred(v3);
        if constexpr (kLinear) {
            a0 = add(a0, d0);
            a1 = add(a1, d1);
            a2 = add(a2, d2);
            a3 = add(a3, d3);
        }
        q0 = fma(d0, d0, q0);
        q1 = fma(d1, d1, q1);
        q2 = fma(d2, d2, q2);
        q3 = fma(d3, d3, q3);
    }

    void add_tail(const T *x, Lanes m) {
        Doubles v0, v1;
        HalfLanes live0, live1;
        load_pair(x, m, v0, v1, live0, live1);
        // Missing lanes would give 0 - c: they are zeroed.
        const Doubles d0 = sub_live(live0, v0, c), d1 = sub_live(live1, v1, c);
        if constexpr (kLinear) {
            a0 = add(a0, d0);
            a1 = add(a1, d1);
        }
        q0 = fma(d0, d0, q0);
        q1 = fma(d1, d1, q1);
    }

    void finish(double *linear, double *squares) {
        swap_pair_order<T>(q0, q1);
        swap_pair_order<T>(q2, q3);
        if constexpr (kLinear) {
            swap_pair_order<T>(a0, a1);
            swap_pair_order<T>(a2, a3);
            *linear += reduce_add(add(add(a0, a1), add(a2, a3)));
        }
        *squares += reduce_add(add(add(q0, q1), add(q2, q3)));
    }
};

template <bool kLinear, bool kCentred = true, typename T>
void deviation_sums(const T *x, int64_t n, double centre, double *linear, double *squares) {
    DeviationSums<T, kLinear, kCentred> s(centre);
    int64_t i = 0;
    for (; i + 2 * kLanes <= n; i += 2 * kLanes) s.add_values(x + i);
    for (; i < n; i += kLanes) s.add_tail(x + i, first_lanes(n - i));
    s.finish(linear, squares);
}

}  // namespace

// The sums over a segment stored as T (f32, bf16 or f16).
template <typename T>
void pivoted_sums_stored(const T *x, int64_t n, double pivot, double *s1, double *s2) {
    deviation_sums<true>(x, n, pivot, s1, s2);
}

template <typename T>
double square_sum_stored(const T *x, int64_t n) {
    double squares = 0;
    deviation_sums<false, false>(x, n, 0.0, nullptr, &squares);
    return squares;
}

double centred_square_sum(const float *x, int64_t n, double mean) {
    double squares = 0;
    deviation_sums<false>(x, n, mean, nullptr, &squares);
    return squares;
}


namespace {

// ((x - hi) - lo) * rstd
inline Floats centre(Floats v, Floats hi, Floats lo, Floats rs) { return mul(sub(sub(v, hi), lo), rs); }

// The output of the vector of values from i on (m its live lanes): centred and scaled, then
// weighted and shifted where there is a weight and a bias. Without kCentred, hi and lo are 0
// (RMS norm) and not subtracted (x - 0 is x exactly).
template <bool kWeight, bool kBias, bool kCentred, typename T>
inline Floats normalized(const T *x, const float *w, const float *b, int64_t i, Lanes m, Floats hi, Floats lo,
                         Floats rs) {
    const Floats v = load(x + i, m);
    Floats t = kCentred ? centre(v, hi, lo, rs) : mul(v, rs);
    if constexpr (kWeight && kBias) t = fma(t, load(w + i, m), load(b + i, m));
    else if constexpr (kWeight) t = mul(t, load(w + i, m));
    else if constexpr (kBias) t = add(t, load(b + i, m));
    return t;
}

template <bool kWeight, bool kBias, bool kCentred, typename T>
void normalize_impl(const T *x, T *y, int64_t n, const CentringConstants &c, const float *w, const float *b) {
    const Floats hi = floats(c.mean_hi), lo = floats(c.mean_lo), rs = floats(c.rstd);
    write_row(y, n, false, [&](int64_t i, Lanes m) { return normalized<kWeight, kBias, kCentred>(x, w, b, i, m, hi, lo, rs); });
}

// normalize_impl and deviation_sums of `next` in one loop: the same arithmetic in the same
// order, so the same bits, with the next segment's loads issued among this one's stores.
// Without kCentred the output's hi and lo and the sums' pivot are all 0 (RMS norm): neither is
// subtracted.
template <bool kWeight, bool kBias, bool kLinear, bool kCentred, typename T>
void normalize_then_sums_impl(const T *x, T *y, int64_t n, const CentringConstants &c, const float *w,
                              const float *b, const T *next, double pivot, double *s1, double *s2) {
    const Floats hi = floats(c.mean_hi), lo = floats(c.mean_lo), rs = floats(c.rstd);
    auto out = [&](int64_t i, Lanes m) { store(y + i, m, normalized<kWeight, kBias, kCentred>(x, w, b, i, m, hi, lo, rs)); };
    DeviationSums<T, kLinear, kCentred> s(pivot);
    int64_t i = 0;
    for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
        s.add_values(next + i);
        out(i, all_lanes());
        out(i + kLanes, all_lanes());
    }
    for (; i < n; i += kLanes) {
        s.add_tail(next + i, first_lanes(n - i));
        out(i, first_lanes(n - i));
    }
    s.finish(s1, s2);
}

}  // namespace

// The entry points turn the run-time choices (weight? bias? linear sums? centring?) into the
// templates' compile-time ones, for every storage type of x and y.
template <typename T>
void normalize_stored(const T *x, T *y, int64_t n, const CentringConstants &c, const float *w, const float *b) {
    with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) {
        if (uncentred(c)) normalize_impl<kw.value, kb.value, false>(x, y, n, c, w, b);
        else normalize_impl<kw.value, kb.value, true>(x, y, n, c, w, b);
    });
}

template <typename T>
void normalize_then_sums_stored(const T *x, T *y, int64_t n, const CentringConstants &c, const float *w,
                                const float *b, const T *next, double pivot, double *s1, double *s2) {
    with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) {
        if (s1 != nullptr)
            normalize_then_sums_impl<kw.value, kb.value, true, true>(x, y, n, c, w, b, next, pivot, s1, s2);
        else if (pivot == 0.0 && !std::signbit(pivot) && uncentred(c))
            normalize_then_sums_impl<kw.value, kb.value, false, false>(x, y, n, c, w, b, next, pivot, s1, s2);
        else
            normalize_then_sums_impl<kw.value, kb.value, false, true>(x, y, n, c, w, b, next, pivot, s1, s2);
    });
}

void normalize(const float *x, float *y, int64_t n, const CentringConstants &c, const float *w,
               const float *b) {
    normalize_stored(x, y, n, c, w, b);
}

// centred_square_sum about 0 without the subtraction: the same bits (x - 0 is x).
double square_sum(const float *x, int64_t n) { return square_sum_stored(x, n); }

void pivoted_sums(const float *x, int64_t n, double pivot, double *s1, double *s2) {
    pivoted_sums_stored(x, n, pivot, s1, s2);
}

void normalize_then_sums(const float *x, float *y, int64_t n, const CentringConstants &c,
                         const float *w, const float *b, const float *next, double pivot, double *s1,
                         double *s2) {
    normalize_then_sums_stored(x, y, n, c, w, b, next, pivot, s1, s2);
}

#include "../stored_row_entry_points.h"

template <int kKind>
void normalize_uniform_as(const float *x, float *y, int64_t n, const CentringConstants &c, float w, float b,
                          bool around_caches) {
    const Floats hi = floats(c.mean_hi), lo = floats(c.mean_lo), rs = floats(c.rstd);
    const Floats wv = floats(w), bv = floats(b);
    write_row(y, n, around_caches,
              [&](int64_t i, Lanes m) { return activated<kKind>(fma(centre(load(x + i, m), hi, lo, rs), wv, bv)); });
}

void normalize_uniform(const float *x, float *y, int64_t n, const CentringConstants &c, float w,
                       float b, bool around_caches) {
    normalize_uniform_as<NORM4J_ACTIVATION_NONE>(x, y, n, c, w, b, around_caches);
}

void normalize_uniform_activated(const float *x, float *y, int64_t n, const CentringConstants &c, float w, float b,
                                 bool around_caches, int kind) {
    if (kind == NORM4J_ACTIVATION_RELU) normalize_uniform_as<NORM4J_ACTIVATION_RELU>(x, y, n, c, w, b, around_caches);
    else normalize_uniform_as<NORM4J_ACTIVATION_SILU>(x, y, n, c, w, b, around_caches);
}
