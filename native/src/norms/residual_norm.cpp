// NATIVE residual add fused with layer norm or RMS norm, forward: h = x + residual (the next
// residual stream) and y = norm(h), in one pass over memory. Each thread takes its share of the
// rows a block at a time (kStagingBlockValues values, in L2): the block's sum is formed and written
// to h, then the block of h, read back from the cache as stored, is normalized into y exactly as
// the plain calls (layer_norm.cpp) normalize a row. So the result has the bits of the add followed
// by the plain call on h, whatever the thread count.
//
// An f32 call whose four arrays outgrow the last-level cache stages the block's sum in scratch
// instead: it is written out to h around the caches, normalized in place, and written out to y
// around the caches. Memory then sees x and residual read and h and y written, four streams, and
// no line of h or y read in before it is written. The scratch holds h's bits, and the rows are
// normalized by the same kernels, so the bits are those of the path through h.
#include <algorithm>

#include "../api_checks.h"
#include "../kernels.h"
#include "../scratch.h"
#include "../storage_runs.h"
#include "../threading.h"
#include "rows_forward.h"

namespace {

// A residual add's data as stored (NORM4J_F32, BF16, F16): h = x + residual.
struct ResidualSum {
    const void *x, *residual;
    void *h;
    int x_type, residual_type, h_type;

    bool all_f32() const { return x_type == NORM4J_F32 && residual_type == NORM4J_F32 && h_type == NORM4J_F32; }
};

template <typename T>
T *at(void *p, int64_t i) {
    return static_cast<T *>(p) + i;
}
template <typename T>
const T *at(const void *p, int64_t i) {
    return static_cast<const T *>(p) + i;
}

// h[first, first + n) = x + residual, each value added in f32 and rounded once to h's type, by
// the add kernels where the three arrays share a type, else through a and b (n floats each).
// Sums go around the caches where asked (in the add kernels).
void add_block(const norm4j::KernelTable &k, const ResidualSum &s, int64_t first, int64_t n, float *a, float *b,
               bool around_caches = false) {
    const bool one_type = s.x_type == s.residual_type && s.x_type == s.h_type;
    if (one_type && s.h_type == NORM4J_F32) {
        k.add_arrays(at<float>(s.x, first), at<float>(s.residual, first), at<float>(s.h, first), n, around_caches);
        return;
    }
    if (one_type && s.h_type == NORM4J_BF16) {
        k.add_arrays_bf16(at<norm4j::bf16>(s.x, first), at<norm4j::bf16>(s.residual, first),
                          at<norm4j::bf16>(s.h, first), n, around_caches);
        return;
    }
    if (one_type) {
        k.add_arrays_f16(at<norm4j::f16>(s.x, first), at<norm4j::f16>(s.residual, first), at<norm4j::f16>(s.h, first),
                         n, around_caches);
        return;
    }
    norm4j::widen_run(k, s.x, s.x_type, first, a, n);
    norm4j::widen_run(k, s.residual, s.residual_type, first, b, n);
    k.add_arrays(a, b, a, n, false);
    norm4j::round_run(k, a, s.h, s.h_type, first, n);
}

// Rows [first, first + n) of h, as stored, normalized into y: by the row kernels of their type where
// h and y share it, else widened into a (n * cols floats), normalized there and rounded out.
// `row` holds 2 cols floats for the row kernels' rare paths.
template <typename Finish>
void normalize_block(const norm4j::KernelTable &k, const void *h, int h_type, void *y, int y_type, int64_t first,
                     int64_t n, int64_t cols, bool centred, const float *weight, const float *bias, Finish &finish,
                     float *a, float *row) {
    const bool fuse = cols <= norm4j::kFusedRowMax;
    void *hv = const_cast<void *>(h);
    const int64_t at_value = first * cols;
    if (h_type == y_type && h_type == NORM4J_F32)
        norm4j::rows_forward_share(k, at<float>(hv, at_value), at<float>(y, at_value), first, n, cols, centred, weight,
                                   bias, fuse, 0, finish, row);
    else if (h_type == y_type && h_type == NORM4J_BF16)
        norm4j::rows_forward_share(k, at<norm4j::bf16>(hv, at_value), at<norm4j::bf16>(y, at_value), first, n, cols,
                                   centred, weight, bias, fuse, 0, finish, row);
    else if (h_type == y_type)
        norm4j::rows_forward_share(k, at<norm4j::f16>(hv, at_value), at<norm4j::f16>(y, at_value), first, n, cols,
                                   centred, weight, bias, fuse, 0, finish, row);
    else {
        norm4j::widen_run(k, h, h_type, at_value, a, n * cols);
        norm4j::rows_forward_share(k, a, a, first, n, cols, centred, weight, bias, fuse, 0, finish, row);
        norm4j::round_run(k, a, y, y_type, at_value, n * cols);
    }
}

template <typename Finish>
void add_rows_forward(const norm4j::KernelTable &k, const ResidualSum &sum, void *y, int y_type, int64_t rows,
                      int64_t cols, bool centred, const float *weight, const float *bias, Finish finish) {
    const int64_t block = std::max<int64_t>(1, norm4j::kStagingBlockValues / cols);  // rows
    const bool staged = sum.all_f32() && y_type == NORM4J_F32 && norm4j::outgrows_cache(rows * cols, 16);
    norm4j::parallel_row_shares(rows, norm4j::threads_for(rows * cols), [&](int64_t first, int64_t count) {
        norm4j::ScratchFrame frame;
        const int64_t values = std::min(block, count) * cols;
        float *const a = frame.array<float>(values), *const b = frame.array<float>(values);
        float *const row = frame.array<float>(2 * cols);
        for (int64_t r = first; r < first + count; r += block) {
            const int64_t n = std::min(block, first + count - r);
            if (staged) {
                const int64_t at_value = r * cols;
                k.add_arrays(at<float>(sum.x, at_value), at<float>(sum.residual, at_value), a, n * cols, false);
                k.copy_floats(a, at<float>(sum.h, at_value), n * cols, true);
                norm4j::rows_forward_share(k, a, a, r, n, cols, centred, weight, bias, cols <= norm4j::kFusedRowMax,
                                           0, finish, row);
                k.copy_floats(a, at<float>(y, at_value), n * cols, true);
            } else {
                add_block(k, sum, r * cols, n * cols, a, b);
                normalize_block(k, sum.h, sum.h_type, y, y_type, r, n, cols, centred, weight, bias, finish, a, row);
            }
        }
    });
}

int check_residual_call(const void *x, int x_type, const void *residual, int residual_type, const void *h, int h_type,
                        const void *y, int y_type, int64_t rows, int64_t cols, float eps) {
    int status = norm4j::check_rows_call(x, y, rows, cols, eps);
    if (status == NORM4J_OK) status = norm4j::check_storage_types(x_type, y_type);
    if (status == NORM4J_OK) status = norm4j::check_storage_types(residual_type, h_type);
    if (status == NORM4J_OK && rows > 0 && cols > 0 && (residual == nullptr || h == nullptr))
        status = norm4j::fail(NORM4J_ERR_ARGUMENT, "null residual or h");
    return status;
}

}  // namespace

extern "C" int norm4j_add_layer_norm_forward(const void *x, int x_type, const void *residual, int residual_type,
                                             void *h, int h_type, void *y, int y_type, int64_t rows, int64_t cols,
                                             const float *weight, const float *bias, float eps, float *mean,
                                             float *rstd) {
    int status = check_residual_call(x, x_type, residual, residual_type, h, h_type, y, y_type, rows, cols, eps);
    if (status == NORM4J_OK) status = norm4j::check_statistics_pair(mean, rstd);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    add_rows_forward(k, {x, residual, h, x_type, residual_type, h_type}, y, y_type, rows, cols, true, weight, bias,
                     norm4j::layer_norm_finish(k, cols, eps, mean, rstd));
    return NORM4J_OK;
}

extern "C" int norm4j_add_rms_norm_forward(const void *x, int x_type, const void *residual, int residual_type, void *h,
                                           int h_type, void *y, int y_type, int64_t rows, int64_t cols,
                                           const float *weight, float eps, float *rstd) {
    int status = check_residual_call(x, x_type, residual, residual_type, h, h_type, y, y_type, rows, cols, eps);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    add_rows_forward(k, {x, residual, h, x_type, residual_type, h_type}, y, y_type, rows, cols, false, weight, nullptr,
                     norm4j::rms_norm_finish(cols, eps, rstd));
    return NORM4J_OK;
}

extern "C" int norm4j_add(const void *x, int x_type, const void *residual, int residual_type, void *h, int h_type,
                          int64_t n) {
    bool empty = false;
    const int status = norm4j::check_add_call(x, x_type, residual, residual_type, h, h_type, n, &empty);
    if (status != NORM4J_OK || empty) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    const ResidualSum sum{x, residual, h, x_type, residual_type, h_type};
    const bool around_caches = norm4j::outgrows_cache(
        n, norm4j::bytes_of_storage(x_type) + norm4j::bytes_of_storage(residual_type) + norm4j::bytes_of_storage(h_type));
    norm4j::parallel_row_shares(n, norm4j::threads_for(n), [&](int64_t first, int64_t count) {
        norm4j::ScratchFrame frame;
        const int64_t block = std::min(norm4j::kStagingBlockValues, count);
        float *const a = frame.array<float>(block), *const b = frame.array<float>(block);
        for (int64_t i = first; i < first + count; i += block)
            add_block(k, sum, i, std::min(block, first + count - i), a, b, around_caches);
    });
    return NORM4J_OK;
}
