// The segment backward kernels (kernels.h: backward_sums through store_as_floats), written once
// over an ISA's vector layer: reductions in double, dx in f32. Tails use masked loads (missing
// lanes read as zero) and masked stores, never touching past the data. Included inside the ISA's
// namespace, after its vector layer, vector_helpers.h and its kRowsAtOnce (the rows one call of
// backward_sums_impl takes, tuning.h); no include guard, as for kernel_functions.h.

namespace {

// g += dy * w and gx += p * w with a weight, g += dy and gx += p without.
template <bool kWeight>
inline void add_gradient_sums(Doubles dy, Doubles p, Doubles w, Doubles &g, Doubles &gx) {
    if constexpr (kWeight) {
        g = fma(dy, w, g);
        gx = fma(p, w, gx);
    } else {
        g = add(g, dy);
        gx = add(gx, p);
    }
}

// Backward sums of kRows rows at once (row r at x + r * stride and dy + r * stride, n values
// each), every row with its own sums and, with kParams, all of them adding into one dw and db.
// Each vector of columns keeps its dw and db in registers across the rows, loaded and stored
// once per kRows rows rather than once per row. Every sum adds the same terms in the same order
// whatever kRows is, so the bits do not depend on how rows are grouped.
// A float Gradient is one row's dw set (backward_row_sums), each term rounded straight to float.
template <bool kWeight, bool kParams, bool kStart, int kRows, typename Gradient = double, typename T>
void backward_sums_impl(const T *x, const T *dy, int64_t stride, int64_t n, const float *mean, const float *rstd,
                        const float *w, double *sum_g, double *sum_gxhat, Gradient *dw, double *db) {
    Doubles mv[kRows], rs[kRows], g0[kRows], g1[kRows], gx0[kRows], gx1[kRows];
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
        mv[r] = doubles(mean != nullptr ? mean[r] : 0.0f);
        rs[r] = doubles(rstd[r]);
        g0[r] = g1[r] = gx0[r] = gx1[r] = zero_doubles();
    }
    // The vector of values from i on, m its live lanes (the whole-vector loop passes all lanes
    // as a constant, so its loads and stores are plain ones with no test).
    auto block = [&](int64_t i, Lanes m) {
        const HalfLanes l = low_half(m), h = high_half(m);
        Doubles w0 = zero_doubles(), w1 = zero_doubles(), pw0, pw1, pb0, pb1;
        if constexpr (kWeight) load_halves(w + i, m, w0, w1);
        if constexpr (kParams && !kStart) {
            pw0 = load(dw + i, l);
            pw1 = load(dw + i + kHalfLanes, h);
            if (db != nullptr) {
                pb0 = load(db + i, l);
                pb1 = load(db + i + kHalfLanes, h);
            }
        }
#pragma GCC unroll 8
        for (int r = 0; r < kRows; ++r) {
            // Missing tail lanes load dy = 0, so they add nothing to any sum. With
            // p = dy * (x - mean): sum g xhat = rstd * sum w p, taken out of the loop, and
            // dw += rstd * p, one operation fewer per value than through xhat.
            Doubles x0, x1, e0, e1;
            load_halves(x + r * stride + i, m, x0, x1);
            load_halves(dy + r * stride + i, m, e0, e1);
            const Doubles p0 = mul(e0, sub(x0, mv[r])), p1 = mul(e1, sub(x1, mv[r]));
            add_gradient_sums<kWeight>(e0, p0, w0, g0[r], gx0[r]);
            add_gradient_sums<kWeight>(e1, p1, w1, g1[r], gx1[r]);
            if constexpr (kParams) {
                // dw += dy * xhat, db += dy: the parameter gradients take dy before the weight;
                // with kStart, the first row sets them (no clearing pass before).
                if (kStart && r == 0) {
                    pw0 = mul(p0, rs[r]);
                    pw1 = mul(p1, rs[r]);
                    pb0 = e0;
                    pb1 = e1;
                } else {
                    pw0 = fma(p0, rs[r], pw0);
                    pw1 = fma(p1, rs[r], pw1);
                    if (db != nullptr) {
                        pb0 = add(pb0, e0);
                        pb1 = add(pb1, e1);
                    }
                }
            }
        }
        if constexpr (kParams && std::is_same_v<Gradient, float>) {
            static_assert(kStart && kRows == 1, "a float dw holds one row's terms, not a sum");
            store(dw + i, m, narrow(pw0, pw1));
        } else if constexpr (kParams) {
            store(dw + i, l, pw0);
            store(dw + i + kHalfLanes, h, pw1);
            if (db != nullptr) {
                store(db + i, l, pb0);
                store(db + i + kHalfLanes, h, pb1);
            }
        }
    };
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) block(i, all_lanes());
    if (i < n) block(i, first_lanes(n - i));
#pragma GCC unroll 8
    for (int r = 0; r < kRows; ++r) {
        sum_g[r] += reduce_add(add(g0[r], g1[r]));
        sum_gxhat[r] += reduce_add(add(gx0[r], gx1[r])) * rstd[r];
    }
}

// The entry points turn the run-time choices (weight? parameter gradients? first row of a sum?)
// and the row count into backward_sums_impl's compile-time ones.
template <int kRows, typename T>
void backward_sums_rows_of(const T *x, const T *dy, int64_t stride, int64_t n, const float *mean,
                           const float *rstd, const float *w, double *sum_g, double *sum_gxhat, double *dw,
                           double *db, bool start) {
    with_flags(w != nullptr, dw != nullptr, [&](auto kw, auto kp) {
        if (start) backward_sums_impl<kw.value, kp.value, true, kRows>(x, dy, stride, n, mean, rstd, w, sum_g, sum_gxhat, dw, db);
        else backward_sums_impl<kw.value, kp.value, false, kRows>(x, dy, stride, n, mean, rstd, w, sum_g, sum_gxhat, dw, db);
    });
}

}  // namespace

void backward_sums(const float *x, const float *dy, int64_t n, float mean, float rstd,
                   const float *w, double *sum_g, double *sum_gxhat, double *dw, double *db,
                   bool start) {
    backward_sums_rows_of<1>(x, dy, 0, n, &mean, &rstd, w, sum_g, sum_gxhat, dw, db, start);
}

// Rows of x and dy stored as T (f32, bf16 or f16): the sums are those of the f32 kernel on the
// widened values.
template <typename T>
void backward_sums_rows_stored(const T *x, const T *dy, int64_t rows, int64_t n, int64_t stride, const float *mean,
                               const float *rstd, const float *w, double *sum_g, double *sum_gxhat, double *dw,
                               double *db, bool start) {
    auto at = [&](auto rows_at_once, int64_t r) {
        backward_sums_rows_of<rows_at_once.value>(x + r * stride, dy + r * stride, stride, n,
                                                  mean != nullptr ? mean + r : nullptr, rstd + r, w, sum_g + r,
                                                  sum_gxhat + r, dw, db, start && r == 0);
    };
    int64_t r = 0;
    for (; r + kRowsAtOnce <= rows; r += kRowsAtOnce) at(std::integral_constant<int, kRowsAtOnce>{}, r);
    for (; r < rows; ++r) at(std::integral_constant<int, 1>{}, r);
}

void backward_sums_rows(const float *x, const float *dy, int64_t rows, int64_t n, int64_t stride,
                        const float *mean, const float *rstd, const float *w, double *sum_g,
                        double *sum_gxhat, double *dw, double *db, bool start) {
    backward_sums_rows_stored(x, dy, rows, n, stride, mean, rstd, w, sum_g, sum_gxhat, dw, db, start);
}

void backward_row_sums(const float *x, const float *dy, int64_t n, float mean, float rstd, const float *w,
                       double *sum_g, double *sum_gxhat, float *dw) {
    with_flag(w != nullptr, [&](auto kw) {
        backward_sums_impl<kw.value, true, true, 1, float>(x, dy, 0, n, &mean, &rstd, w, sum_g, sum_gxhat, dw, nullptr);
    });
}

// dx of x and dy stored as T, itself stored as T: the f32 kernel's values on the widened inputs,
// rounded once to T.
template <typename T>
void backward_dx_stored(const T *x, const T *dy, T *dx, int64_t n, float mean, float rstd, const float *w,
                        float w_uniform, float a, float b, bool around_caches) {
    const Floats mv = floats(mean), rs = floats(rstd);
    const Floats av = floats(a), bv = floats(b), wu = floats(w_uniform);
    write_row(dx, n, around_caches, [&](int64_t i, Lanes m) {
        const Floats g = mul(load(dy + i, m), w != nullptr ? load(w + i, m) : wu);
        const Floats xhat = mul(sub(load(x + i, m), mv), rs);
        // (g - a) - xhat * b, as in the scalar kernel but with one fused rounding.
        return mul(rs, fnma(xhat, bv, sub(g, av)));
    });
}

void backward_dx(const float *x, const float *dy, float *dx, int64_t n, float mean, float rstd,
                 const float *w, float w_uniform, float a, float b, bool around_caches) {
    backward_dx_stored(x, dy, dx, n, mean, rstd, w, w_uniform, a, b, around_caches);
}

#include "../stored_backward_entry_points.h"

void store_as_floats(const double *src, float *dst, int64_t n) {
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes) store(dst + i, all_lanes(), narrow(loadu(src + i), loadu(src + i + kHalfLanes)));
    for (; i < n; ++i) dst[i] = static_cast<float>(src[i]);
}
