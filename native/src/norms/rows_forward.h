// The rows forward of layer norm and RMS norm on one thread's rows, and the finishes that turn a
// row's sums into its constants: shared by the plain calls (layer_norm.cpp) and the fused residual
// add (residual_norm.cpp).
#ifndef NORM4J_ROWS_FORWARD_H
#define NORM4J_ROWS_FORWARD_H

#include <cmath>
#include <type_traits>

#include "../kernels.h"
#include "double_normalize.h"
#include "segment_statistics.h"
#include "stored_rows.h"

namespace norm4j {

// Rows [first, first + count) forward, on one thread, row r at x + (r - first) * cols, stored as T
// (float, bf16 or f16; y as x): one pass per row, the row's output together with the next row's
// sums (normalize_then_sums) where `fuse`, so the next row's reads overlap this row's writes,
// asking for the rows `ahead` on where it is not 0. A row's sums have the same bits whether taken
// alone or with the previous row's output, so neither the rows a call is cut into nor fusing
// changes the result. finish(r, first value, row, s1, s2) turns row r's sums into its constants,
// row() giving the row as f32 should it need the values. `scratch` (2 cols floats; unused for
// float rows) holds a half-precision row as f32 on the rare paths that need it. y may be x.
template <typename T, typename Finish>
void rows_forward_share(const KernelTable &k, const T *x, T *y, int64_t first, int64_t count, int64_t cols,
                        bool centred, const float *weight, const float *bias, bool fuse, int64_t ahead, Finish finish,
                        float *scratch) {
    const RowKernels<T> rk = row_kernels(k, x);
    auto pivot = [&](int64_t i) { return centred ? static_cast<double>(value_of(x[i * cols])) : 0.0; };
    double s1 = 0, s2 = 0;
    auto sums_of = [&](int64_t i) {
        if (centred) rk.pivoted_sums(x + i * cols, cols, pivot(i), &s1, &s2);
        else s2 = rk.square_sum(x + i * cols, cols);
    };
    sums_of(0);
    for (int64_t i = 0; i < count; ++i) {
        const T *xr = x + i * cols;
        T *yr = y + i * cols;
        auto row = [&] { return row_floats(k, xr, cols, scratch); };
        const CentringConstants c = finish(first + i, value_of(xr[0]), row, s1, s2);
        s1 = s2 = 0;
        if (c.in_double) {
            const float *xf = row();
            float *out = std::is_same_v<T, float> ? reinterpret_cast<float *>(yr) : scratch + cols;
            normalize_row_in_double(xf, out, cols, c, weight, bias);
            store_row(k, out, yr, cols);
            if (i + 1 < count) sums_of(i + 1);
        } else if (i + 1 < count && fuse) {
            if (ahead > 0 && i + ahead < count)
                prefetch(reinterpret_cast<const float *>(x + (i + ahead) * cols), cols * sizeof(T) / sizeof(float));
            rk.normalize_then_sums(xr, yr, cols, c, weight, bias, xr + cols, pivot(i + 1), centred ? &s1 : nullptr, &s2);
        } else {
            rk.normalize(xr, yr, cols, c, weight, bias);
            if (i + 1 < count) sums_of(i + 1);
        }
    }
}

// Layer norm's and RMS norm's finish (rows_forward_share): a row's sums to its constants, its
// statistics saved where asked for.
inline auto layer_norm_finish(const KernelTable &k, int64_t cols, float eps, float *mean, float *rstd) {
    return [&k, cols, eps, mean, rstd, count = GroupCount(static_cast<double>(cols))](
               int64_t r, float pivot, auto &&row, double s1, double s2) {
        // The row's values are read again only where the one-pass statistics are refused.
        MeanVariance mv;
        if (!pivoted_mean_variance(pivot, s1, s2, count, segments_chain(1, cols), &mv))
            mv = segments_mean_variance_from(k, row(), 1, cols, cols, count, s1, s2);
        const CentringConstants c = centring_constants(mv.mean, mv.var, eps);
        store_statistics(mean, rstd, r, mv.mean, c);
        return c;
    };
}

inline auto rms_norm_finish(int64_t cols, float eps, float *rstd) {
    return [eps, rstd, count = GroupCount(static_cast<double>(cols))](int64_t r, float, auto &&, double,
                                                                                double s2) {
        // The squares of finite floats cannot overflow a double sum, so an infinite one means the
        // row holds an infinity: its rstd is NaN, and so is every output, as for a NaN.
        const double mean_square = std::isinf(s2) ? std::nan("") : s2 * count.inv;
        const CentringConstants c = centring_constants(0.0, mean_square, eps);
        if (rstd != nullptr) rstd[r] = c.rstd;
        return c;
    };
}

}  // namespace norm4j

#endif
