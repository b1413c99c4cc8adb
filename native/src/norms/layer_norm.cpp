// NATIVE layer norm and RMS norm forward over the rows of a [rows, cols] matrix: the statistics of
// each row in double (segment_statistics.h), then one f32 pass that writes the output.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "double_normalize.h"
#include "../scratch.h"
#include "../storage_runs.h"
#include "stored_rows.h"
#include "segment_statistics.h"

namespace {

// Rows [first, first + count) forward, on one thread, row r at x + (r - first) * cols, stored as T
// (float, bf16 or f16; y as x): one pass per row, the row's output together with the next row's
// sums (normalize_then_sums) where `fuse`, so the next row's reads overlap this row's writes,
// asking for the rows `ahead` on where it is not 0. A row's sums have the same bits whether taken
// alone or with the previous row's output, so neither the rows a call is cut into nor fusing
// changes the result. finish(r, first value, row, s1, s2) turns row r's sums into its constants,
// row() giving the row as f32 should it need the values. `scratch` (2 cols floats; unused for
// float rows) holds a half-precision row as f32 on the rare paths that need it. y may be x.
template <typename T, typename Finish>
void rows_forward_share(const norm4j::KernelTable &k, const T *x, T *y, int64_t first, int64_t count, int64_t cols,
                        bool centred, const float *weight, const float *bias, bool fuse, int64_t ahead, Finish finish,
                        float *scratch) {
    const norm4j::RowKernels<T> rk = norm4j::row_kernels(k, x);
    auto pivot = [&](int64_t i) { return centred ? static_cast<double>(norm4j::value_of(x[i * cols])) : 0.0; };
    double s1 = 0, s2 = 0;
    auto sums_of = [&](int64_t i) {
        if (centred) rk.pivoted_sums(x + i * cols, cols, pivot(i), &s1, &s2);
        else s2 = rk.square_sum(x + i * cols, cols);
    };
    sums_of(0);
    for (int64_t i = 0; i < count; ++i) {
        const T *xr = x + i * cols;
        T *yr = y + i * cols;
        auto row = [&] { return norm4j::row_floats(k, xr, cols, scratch); };
        const norm4j::CentringConstants c = finish(first + i, norm4j::value_of(xr[0]), row, s1, s2);
        s1 = s2 = 0;
        if (c.in_double) {
            const float *xf = row();
            float *out = std::is_same_v<T, float> ? reinterpret_cast<float *>(yr) : scratch + cols;
            norm4j::normalize_row_in_double(xf, out, cols, c, weight, bias);
            norm4j::store_row(k, out, yr, cols);
            if (i + 1 < count) sums_of(i + 1);
        } else if (i + 1 < count && fuse) {
            if (ahead > 0 && i + ahead < count)
                norm4j::prefetch(reinterpret_cast<const float *>(x + (i + ahead) * cols), cols * sizeof(T) / sizeof(float));
            rk.normalize_then_sums(xr, yr, cols, c, weight, bias, xr + cols, pivot(i + 1), centred ? &s1 : nullptr, &s2);
        } else {
            rk.normalize(xr, yr, cols, c, weight, bias);
            if (i + 1 < count) sums_of(i + 1);
        }
    }
}

// Rows forward, shared by layer norm and RMS norm (centred = false: no mean, hi = lo = 0, which
// makes (x - hi) - lo exactly x), x and y stored as T (float, bf16 or f16), each thread taking an
// equal share of the rows. Half-precision rows are read and written by the row kernels of their
// type; a thread keeps 2 cols floats of scratch for the rare paths that need a row as f32.
template <typename T, typename Finish>
void rows_forward(const norm4j::KernelTable &k, const T *x, T *y, int64_t rows, int64_t cols, bool centred,
                  const float *weight, const float *bias, Finish finish) {
    const int threads = norm4j::threads_for(rows * cols);
    const bool from_memory = norm4j::outgrows_cache(rows * cols, 2 * sizeof(T));  // x and y
    const bool fuse = cols <= (from_memory ? norm4j::kStreamedFusedRowMax : norm4j::kFusedRowMax);
    const int64_t ahead = from_memory ? std::max<int64_t>(1, norm4j::kPrefetchAhead / cols) : 0;  // in rows
    norm4j::parallel_row_shares(rows, threads, [&](int64_t first, int64_t count) {
        auto share = [&](float *scratch) {
            rows_forward_share(k, x + first * cols, y + first * cols, first, count, cols, centred, weight, bias, fuse,
                               ahead, finish, scratch);
        };
        if constexpr (std::is_same_v<T, float>) {
            share(nullptr);
        } else {
            norm4j::ScratchFrame frame;
            share(frame.array<float>(2 * cols));
        }
    });
}

// rows_forward over data stored as x_type and y_type (NORM4J_F32, BF16, F16). Where x and y share
// a type, its row kernels read and write it. Otherwise each thread widens a block of its rows into
// f32 scratch that stays in L2, normalizes it there in place, and rounds it out to y. Either way
// the data cross memory once each way at their stored width, with the bits of the f32 rows forward
// on the widened x, each output rounded once.
template <typename Finish>
void stored_rows_forward(const norm4j::KernelTable &k, const void *x, int x_type, void *y, int y_type, int64_t rows,
                         int64_t cols, bool centred, const float *weight, const float *bias, Finish finish) {
    if (x_type == y_type && x_type == NORM4J_F32)
        return rows_forward(k, static_cast<const float *>(x), static_cast<float *>(y), rows, cols, centred, weight,
                            bias, finish);
    if (x_type == y_type && x_type == NORM4J_BF16)
        return rows_forward(k, static_cast<const norm4j::bf16 *>(x), static_cast<norm4j::bf16 *>(y), rows, cols,
                            centred, weight, bias, finish);
    if (x_type == y_type)
        return rows_forward(k, static_cast<const norm4j::f16 *>(x), static_cast<norm4j::f16 *>(y), rows, cols,
                            centred, weight, bias, finish);
    const int64_t block = std::max<int64_t>(1, norm4j::kStagingBlockValues / cols);  // rows
    norm4j::parallel_row_shares(rows, norm4j::threads_for(rows * cols), [&](int64_t first, int64_t count) {
        norm4j::ScratchFrame frame;
        float *const buffer = frame.array<float>(std::min(block, count) * cols);
        for (int64_t b = first; b < first + count; b += block) {
            const int64_t n = std::min(block, first + count - b);
            norm4j::widen_run(k, x, x_type, b * cols, buffer, n * cols);
            rows_forward_share(k, buffer, buffer, b, n, cols, centred, weight, bias, cols <= norm4j::kFusedRowMax, 0,
                               finish, nullptr);
            norm4j::round_run(k, buffer, y, y_type, b * cols, n * cols);
        }
    });
}

// Layer norm's and RMS norm's finish (rows_forward_share): a row's sums to its constants, its
// statistics saved where asked for.
auto layer_norm_finish(const norm4j::KernelTable &k, int64_t cols, float eps, float *mean, float *rstd) {
    return [&k, cols, eps, mean, rstd, count = norm4j::GroupCount(static_cast<double>(cols))](
               int64_t r, float pivot, auto &&row, double s1, double s2) {
        // The row's values are read again only where the one-pass statistics are refused.
        norm4j::MeanVariance mv;
        if (!norm4j::pivoted_mean_variance(pivot, s1, s2, count, norm4j::segments_chain(1, cols), &mv))
            mv = norm4j::segments_mean_variance_from(k, row(), 1, cols, cols, count, s1, s2);
        const norm4j::CentringConstants c = norm4j::centring_constants(mv.mean, mv.var, eps);
        norm4j::store_statistics(mean, rstd, r, mv.mean, c);
        return c;
    };
}

auto rms_norm_finish(int64_t cols, float eps, float *rstd) {
    return [eps, rstd, count = norm4j::GroupCount(static_cast<double>(cols))](int64_t r, float, auto &&, double,
                                                                                double s2) {
        // The squares of finite floats cannot overflow a double sum, so an infinite one means the
        // row holds an infinity: its rstd is NaN, and so is every output, as for a NaN.
        const double mean_square = std::isinf(s2) ? std::nan("") : s2 * count.inv;
        const norm4j::CentringConstants c = norm4j::centring_constants(0.0, mean_square, eps);
        if (rstd != nullptr) rstd[r] = c.rstd;
        return c;
    };
}

}  // namespace

extern "C" int norm4j_layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd) {
    return norm4j_layer_norm_forward_stored(x, NORM4J_F32, y, NORM4J_F32, rows, cols, weight, bias, eps, mean, rstd);
}

extern "C" int norm4j_layer_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t rows,
                                                int64_t cols, const float *weight, const float *bias, float eps,
                                                float *mean, float *rstd) {
    int status = norm4j::check_rows_call(x, y, rows, cols, eps);
    if (status == NORM4J_OK) status = norm4j::check_statistics_pair(mean, rstd);
    if (status == NORM4J_OK) status = norm4j::check_storage_types(x_type, y_type);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    stored_rows_forward(k, x, x_type, y, y_type, rows, cols, true, weight, bias,
                        layer_norm_finish(k, cols, eps, mean, rstd));
    return NORM4J_OK;
}

extern "C" int norm4j_rms_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                       const float *weight, float eps, float *rstd) {
    return norm4j_rms_norm_forward_stored(x, NORM4J_F32, y, NORM4J_F32, rows, cols, weight, eps, rstd);
}

extern "C" int norm4j_rms_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t rows,
                                              int64_t cols, const float *weight, float eps, float *rstd) {
    int status = norm4j::check_rows_call(x, y, rows, cols, eps);
    if (status == NORM4J_OK) status = norm4j::check_storage_types(x_type, y_type);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    stored_rows_forward(k, x, x_type, y, y_type, rows, cols, false, weight, nullptr, rms_norm_finish(cols, eps, rstd));
    return NORM4J_OK;
}
