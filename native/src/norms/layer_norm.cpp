// NATIVE layer norm and RMS norm forward over the rows of a [rows, cols] matrix: the statistics of
// each row in double (segment_statistics.h), then one f32 pass that writes the output.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "../scratch.h"
#include "../storage_runs.h"
#include "rows_forward.h"

namespace {

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
            norm4j::rows_forward_share(k, x + first * cols, y + first * cols, first, count, cols, centred, weight, bias, fuse,
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
    norm4j::parallel_row_shares(rows, norm4j::threads_for(rows * cols), [&](int64_t first, int64_t count) {
        norm4j::for_each_widened_block(k, x, x_type, first, count, cols, [&](float *block, int64_t b, int64_t n) {
            norm4j::rows_forward_share(k, block, block, b, n, cols, centred, weight, bias,
                                       cols <= norm4j::kFusedRowMax, 0, finish, nullptr);
            norm4j::round_run(k, block, y, y_type, b * cols, n * cols);
        });
    });
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
                        norm4j::layer_norm_finish(k, cols, eps, mean, rstd));
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
    stored_rows_forward(k, x, x_type, y, y_type, rows, cols, false, weight, nullptr, norm4j::rms_norm_finish(cols, eps, rstd));
    return NORM4J_OK;
}
