// NATIVE layer norm and RMS norm backward over rows (RMS norm: mean 0, no centring term): sums
// of the gradient terms per row, then dx, a group of rows at a time while it is in cache; the
// parameter gradients in fixed chunks of rows added in chunk order.
#include <algorithm>
#include <cmath>
#include <type_traits>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "gradient_sums.h"
#include "mean_correction.h"

namespace {

// One row, a single token's call: no chunks, scratch or threads, and dw written straight as
// floats (backward_row_sums), one row's terms being its whole sum; its db is its dy exactly (a
// float widened and rounded back), so it is copied. The same bits as the general path, whose
// column blocks it keeps.
void one_row_backward(const norm4j::KernelTable &k, const float *x, const float *dy, float *dx, int64_t cols,
                      const float *weight, float mean, float rstd, bool centred, float *dweight, float *dbias) {
    const double n = static_cast<double>(cols);
    const double c = centred && norm4j::mean_rounding_matters(mean, rstd)
                         ? norm4j::xhat_shift(norm4j::sum_from(k, x, cols, mean), n, mean, rstd)
                         : 0.0;
    double sum_g = 0.0, sum_gxhat = 0.0;
    for (int64_t j = 0; j < cols; j += norm4j::kRowsBackwardColumnBlock) {
        const int64_t width = std::min(norm4j::kRowsBackwardColumnBlock, cols - j);
        const float *w = weight != nullptr ? weight + j : nullptr;
        if (dweight != nullptr) k.backward_row_sums(x + j, dy + j, width, mean, rstd, w, &sum_g, &sum_gxhat, dweight + j);
        else k.backward_sums(x + j, dy + j, width, mean, rstd, w, &sum_g, &sum_gxhat, nullptr, nullptr, false);
    }
    if (dbias != nullptr) std::copy(dy, dy + cols, dbias);  // before dx, which may overwrite dy
    if (c != 0.0 && dweight != nullptr)
        for (int64_t j = 0; j < cols; ++j) dweight[j] = static_cast<float>(dweight[j] - c * dy[j]);
    const double b = (c == 0.0 ? sum_gxhat : sum_gxhat - c * sum_g) / n;
    const float a = !centred ? 0.0f : static_cast<float>(c == 0.0 ? sum_g / n : sum_g / n - c * b);
    k.backward_dx(x, dy, dx, cols, mean, rstd, weight, 1.0f, a, static_cast<float>(b), norm4j::backward_from_memory(cols));
}

// Where a rows backward's data live: x, dy and dx as stored (NORM4J_F32, BF16, F16), and dh, the
// gradient arriving on a fused residual add's output (null where none), added to dx.
struct StoredRows {
    const void *x, *dy;
    void *dx;
    int x_type, dy_type, dx_type;
    const void *dh = nullptr;
    int dh_type = NORM4J_F32;

    bool all_f32() const {
        return x_type == NORM4J_F32 && dy_type == NORM4J_F32 && dx_type == NORM4J_F32 && dh_type == NORM4J_F32;
    }
};

// The rows backward kernels for rows stored as T (kernels.h), and a row's sum of x - pivot.
template <typename T>
struct BackwardKernels {
    void (*sums_rows)(const T *, const T *, int64_t, int64_t, int64_t, const float *, const float *, const float *,
                      double *, double *, double *, double *, bool);
    void (*dx)(const T *, const T *, T *, int64_t, float, float, const float *, float, float, float, bool);
    void (*pivoted_sums)(const T *, int64_t, double, double *, double *);

    double sum_from(const T *x, int64_t n, float pivot) const {
        double s1 = 0, s2 = 0;
        pivoted_sums(x, n, static_cast<double>(pivot), &s1, &s2);
        return s1;
    }
};

inline BackwardKernels<float> backward_kernels(const norm4j::KernelTable &k, const float *) {
    return {k.backward_sums_rows, k.backward_dx, k.pivoted_sums};
}
inline BackwardKernels<norm4j::bf16> backward_kernels(const norm4j::KernelTable &k, const norm4j::bf16 *) {
    return {k.backward_sums_rows_bf16, k.backward_dx_bf16, k.pivoted_sums_bf16};
}
inline BackwardKernels<norm4j::f16> backward_kernels(const norm4j::KernelTable &k, const norm4j::f16 *) {
    return {k.backward_sums_rows_f16, k.backward_dx_f16, k.pivoted_sums_f16};
}

// A group of rows' backward in a rows_backward call: its rows' sums and their share of the
// parameter gradients (read before dx is written, since dx may overwrite dy in place), then their
// dx, while the group is in cache. RMS norm: mean 0 and no centring term.
struct RowGroups {
    const norm4j::KernelTable &k;
    int64_t cols;
    const float *weight, *mean, *rstd;
    bool centred, from_memory;
    int64_t block, group;  // columns per block of the sums; rows per group (tuning.h)

    // Rows [g, g + count) of a chunk ending at `end`, at x, dy and dx (row g first; all stored as
    // T); dw and db the chunk's partial parameter gradients (null where none), set rather than added
    // to where `start`. With `next_x` and `next_dy` (the whole call's f32 x and dy, from memory),
    // each row's successor in the next group is fetched just before the row's dx. With dh (the
    // group's rows, f32 data only), each row's dx is formed in `row` (cols floats) and dx = that +
    // dh, so dx may be dh or dy.
    template <typename T>
    void backward(const T *x, const T *dy, T *dx, int64_t g, int64_t count, int64_t end, double *dw, double *db,
                  bool start, const T *next_x, const T *next_dy, const float *dh, float *row) const {
        const BackwardKernels<T> kt = backward_kernels(k, x);
        const double n = static_cast<double>(cols);
        // Only the group's own sums are cleared: zeroing both whole arrays took GCC's `rep stos`,
        // whose start-up cost showed in one-row calls.
        double sum_g[norm4j::kRowGroup], sum_gxhat[norm4j::kRowGroup], shift[norm4j::kRowGroup];
        for (int64_t i = 0; i < count; ++i) {
            sum_g[i] = sum_gxhat[i] = 0.0;
            const int64_t r = g + i;
            shift[i] = centred && norm4j::mean_rounding_matters(mean[r], rstd[r])
                           ? norm4j::xhat_shift(kt.sum_from(x + i * cols, cols, mean[r]), n, mean[r], rstd[r])
                           : 0.0;
        }
        for (int64_t j = 0; j < cols; j += block) {
            kt.sums_rows(x + j, dy + j, count, std::min(block, cols - j), cols, centred ? mean + g : nullptr,
                                 rstd + g, weight != nullptr ? weight + j : nullptr, sum_g, sum_gxhat,
                                 dw != nullptr ? dw + j : nullptr, db != nullptr ? db + j : nullptr, start);
        }
        for (int64_t i = 0; i < count; ++i) {
            const int64_t r = g + i;
            // One core has too few misses in flight to keep memory busy on its own.
            if constexpr (std::is_same_v<T, float>) {
                if (next_x != nullptr && r + group < end) {
                    norm4j::prefetch(next_x + (r + group) * cols, cols);
                    norm4j::prefetch(next_dy + (r + group) * cols, cols);
                    if (dh != nullptr) norm4j::prefetch(dh + (i + group) * cols, cols);
                }
            }
            // dw's share of the shift is taken before dx, which may overwrite dy.
            if (shift[i] != 0.0 && dw != nullptr)
                for (int64_t j = 0; j < cols; ++j) dw[j] -= shift[i] * norm4j::value_of(dy[i * cols + j]);
            const double b = (shift[i] == 0.0 ? sum_gxhat[i] : sum_gxhat[i] - shift[i] * sum_g[i]) / n;
            const float a = !centred ? 0.0f
                                     : static_cast<float>(shift[i] == 0.0 ? sum_g[i] / n : sum_g[i] / n - shift[i] * b);
            const float mean_r = centred ? mean[r] : 0.0f;
            if constexpr (std::is_same_v<T, float>) {
                if (dh != nullptr) {
                    kt.dx(x + i * cols, dy + i * cols, row, cols, mean_r, rstd[r], weight, 1.0f, a,
                          static_cast<float>(b), false);
                    k.add_arrays(row, dh + i * cols, dx + i * cols, cols, from_memory);
                    continue;
                }
            }
            kt.dx(x + i * cols, dy + i * cols, dx + i * cols, cols, mean_r, rstd[r], weight, 1.0f, a,
                  static_cast<float>(b), from_memory);
        }
    }
};

// Shared by layer norm and RMS norm backward (RMS norm: mean 0 and no centring term). The
// parameter gradients sum over rows, so each fixed chunk of rows keeps its own partial sums,
// added in chunk order afterwards: the result does not depend on the thread count. Each chunk
// goes in groups of rows (RowGroups): pairs from memory; in cache, long rows in groups of 16 with
// their sums in column blocks (a block's share of dw and db stays in L1 across the group), short
// rows in groups of about 2048 values (a row's dx waits on its sums' reduction, which a longer
// group overlaps with the next rows' sums). x, dy and dx all stored as bf16 (or all as f16), with
// no dh, go through the kernels for that type, grouped as f32 data in cache; other data stored as
// bf16 or f16 go a group at a time through f32 scratch: widened in, dx rounded out. Neither
// grouping nor blocks depend on the thread count, and grouping changes no bits.
void rows_backward(const norm4j::KernelTable &k, const StoredRows &data, int64_t rows, int64_t cols,
                   const float *weight, const float *mean, const float *rstd, bool centred, float *dweight,
                   float *dbias) {
    const bool f32 = data.all_f32();
    // One half-precision type throughout, and no dh: that type's kernels.
    const bool stored_kernels =
        !f32 && data.x_type == data.dy_type && data.dx_type == data.x_type && data.dh == nullptr;
    const auto *x = static_cast<const float *>(data.x), *dy = static_cast<const float *>(data.dy);
    auto *dx = static_cast<float *>(data.dx);
    const auto *dh = static_cast<const float *>(data.dh);
    if (rows == 1 && f32 && dh == nullptr) {
        one_row_backward(k, x, dy, dx, cols, weight, centred ? mean[0] : 0.0f, rstd[0], centred, dweight, dbias);
        return;
    }
    const bool params = dweight != nullptr || dbias != nullptr;
    // At most 16 chunks: each keeps 2 x cols doubles, which are summed on every call.
    const norm4j::RowChunks chunks(rows, cols, 16);
    norm4j::ScratchFrame frame;
    const norm4j::ChunkParamGradients partial(frame, params ? chunks.count() : 0, cols);
    // A call of one chunk lets its first row set the sums (backward_sums' start) rather than
    // clear them first; with chunks spread over threads, they are cleared.
    const bool set_first = chunks.count() == 1;
    // Other stored data are widened a group at a time into scratch that stays in cache.
    const bool from_memory = f32 && norm4j::backward_from_memory(rows * cols);
    const int64_t group = !f32 && !stored_kernels
                              ? std::clamp<int64_t>(norm4j::kStagingBlockValues / cols, 1, norm4j::kRowGroup)
                          : from_memory ? norm4j::kRowPair
                          : cols > norm4j::kRowsBackwardColumnBlock
                              ? norm4j::kRowGroup
                              : std::clamp<int64_t>(norm4j::kShortRowGroupValues / cols, norm4j::kRowPair, norm4j::kRowGroup);
    const RowGroups groups{k,       cols,        weight, mean, rstd,
                           centred, from_memory, std::min(cols, norm4j::kRowsBackwardColumnBlock), group};
    norm4j::parallel_for(chunks.count(), norm4j::threads_for(rows * cols), [&](int64_t c) {
        double *dw = nullptr, *db = nullptr;
        if (params) {
            const norm4j::ParamGradients mine = set_first ? partial.at(c) : partial.start(c);
            dw = mine.dw;
            db = dbias != nullptr ? mine.db : nullptr;  // none for RMS norm
        }
        const int64_t first = chunks.begin(c), end = first + chunks.size(c);
        auto run_stored = [&](auto *typed) {
            using T = std::remove_const_t<std::remove_pointer_t<decltype(typed)>>;
            const T *tx = static_cast<const T *>(data.x), *tdy = static_cast<const T *>(data.dy);
            T *const tdx = static_cast<T *>(data.dx);
            for (int64_t g = first; g < end; g += group)
                groups.backward(tx + g * cols, tdy + g * cols, tdx + g * cols, g, std::min(group, end - g), end, dw,
                                db, set_first && g == first, static_cast<const T *>(nullptr),
                                static_cast<const T *>(nullptr), nullptr, nullptr);
        };
        if (stored_kernels) {
            if (data.x_type == NORM4J_BF16) run_stored(static_cast<const norm4j::bf16 *>(nullptr));
            else run_stored(static_cast<const norm4j::f16 *>(nullptr));
            return;
        }
        norm4j::ScratchFrame scratch;
        if (f32) {
            float *const row = dh != nullptr ? scratch.array<float>(cols) : nullptr;
            for (int64_t g = first; g < end; g += group)
                groups.backward(x + g * cols, dy + g * cols, dx + g * cols, g, std::min(group, end - g), end, dw, db,
                                set_first && g == first, from_memory ? x : nullptr, dy,
                                dh != nullptr ? dh + g * cols : nullptr, row);
            return;
        }
        float *const xs = scratch.array<float>(group * cols), *const dys = scratch.array<float>(group * cols);
        float *const dxs = scratch.array<float>(group * cols);
        float *const dhs = data.dh != nullptr ? scratch.array<float>(group * cols) : nullptr;
        for (int64_t g = first; g < end; g += group) {
            const int64_t count = std::min(group, end - g);
            norm4j::widen_run(k, data.x, data.x_type, g * cols, xs, count * cols);
            norm4j::widen_run(k, data.dy, data.dy_type, g * cols, dys, count * cols);
            if (dhs != nullptr) norm4j::widen_run(k, data.dh, data.dh_type, g * cols, dhs, count * cols);
            groups.backward<float>(xs, dys, dxs, g, count, end, dw, db, set_first && g == first, nullptr, nullptr, nullptr,
                            nullptr);
            if (dhs != nullptr) k.add_arrays(dxs, dhs, dxs, count * cols, false);
            norm4j::round_run(k, dxs, data.dx, data.dx_type, g * cols, count * cols);
        }
    });
    if (params) partial.write_total(k, dweight, dbias);
}

// A rows backward's checks, then the call; dh (may be null) is added to dx.
int checked_rows_backward(const StoredRows &data, int64_t rows, int64_t cols, const float *weight, const float *mean,
                          const float *rstd, bool centred, float *dweight, float *dbias) {
    bool empty = false;
    const bool statistics = rstd != nullptr && (!centred || mean != nullptr);
    int status = norm4j::check_backward_call(data.x, data.dy, data.dx, rows, cols, 1, statistics, &empty);
    if (status == NORM4J_OK) status = norm4j::check_storage_types(data.x_type, data.dy_type);
    if (status == NORM4J_OK) status = norm4j::check_storage_types(data.dx_type, data.dh_type);
    if (status != NORM4J_OK || empty) return status;
    rows_backward(norm4j::active_kernels(), data, rows, cols, weight, mean, rstd, centred, dweight, dbias);
    return NORM4J_OK;
}

}  // namespace

extern "C" int norm4j_layer_norm_backward(const float *x, const float *dy, float *dx, int64_t rows,
                                          int64_t cols, const float *weight, const float *mean,
                                          const float *rstd, float *dweight, float *dbias) {
    return norm4j_layer_norm_backward_stored(x, NORM4J_F32, dy, NORM4J_F32, dx, NORM4J_F32, rows, cols, weight, mean,
                                             rstd, dweight, dbias);
}

extern "C" int norm4j_layer_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                                 int dx_type, int64_t rows, int64_t cols, const float *weight,
                                                 const float *mean, const float *rstd, float *dweight, float *dbias) {
    return checked_rows_backward({x, dy, dx, x_type, dy_type, dx_type}, rows, cols, weight, mean, rstd, true, dweight,
                                 dbias);
}

extern "C" int norm4j_rms_norm_backward(const float *x, const float *dy, float *dx, int64_t rows,
                                        int64_t cols, const float *weight, const float *rstd,
                                        float *dweight) {
    return norm4j_rms_norm_backward_stored(x, NORM4J_F32, dy, NORM4J_F32, dx, NORM4J_F32, rows, cols, weight, rstd,
                                           dweight);
}

extern "C" int norm4j_rms_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                               int dx_type, int64_t rows, int64_t cols, const float *weight,
                                               const float *rstd, float *dweight) {
    return checked_rows_backward({x, dy, dx, x_type, dy_type, dx_type}, rows, cols, weight, nullptr, rstd, false,
                                 dweight, nullptr);
}

extern "C" int norm4j_add_layer_norm_backward(const void *h, int h_type, const void *dy, int dy_type, const void *dh,
                                              int dh_type, void *dx, int dx_type, int64_t rows, int64_t cols,
                                              const float *weight, const float *mean, const float *rstd,
                                              float *dweight, float *dbias) {
    return checked_rows_backward({h, dy, dx, h_type, dy_type, dx_type, dh, dh_type}, rows, cols, weight, mean, rstd,
                                 true, dweight, dbias);
}

extern "C" int norm4j_add_rms_norm_backward(const void *h, int h_type, const void *dy, int dy_type, const void *dh,
                                            int dh_type, void *dx, int dx_type, int64_t rows, int64_t cols,
                                            const float *weight, const float *rstd, float *dweight) {
    return checked_rows_backward({h, dy, dx, h_type, dy_type, dx_type, dh, dh_type}, rows, cols, weight, nullptr, rstd,
                                 false, dweight, nullptr);
}
