// NATIVE layer norm and RMS norm over the rows of a [rows, cols] matrix: the statistics of each
// row in double (segment_statistics.h), then one f32 pass that writes the output.
#include <algorithm>
#include <cmath>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "double_normalize.h"
#include "gradient_sums.h"
#include "mean_correction.h"
#include "segment_statistics.h"

namespace {

// Rows forward, shared by layer norm and RMS norm (centred = false: no mean, hi = lo = 0, which
// makes (x - hi) - lo exactly x). Each thread takes an equal share of the rows, one pass per row:
// the row's output together with the next row's sums (normalize_then_sums), so the next row's
// reads overlap this row's writes. A row's sums have the same bits whether taken alone or with
// the previous row's output, so the shares do not change the result (nor does fusing or not, see
// norm4j::kFusedRowMax). finish(r, s1, s2) turns row r's sums into its constants.
template <typename Finish>
void rows_forward(const norm4j::KernelTable &k, const float *x, float *y, int64_t rows, int64_t cols,
                  bool centred, const float *weight, const float *bias, Finish finish) {
    const int threads = norm4j::threads_for(rows * cols);
    const bool from_memory = norm4j::forward_from_memory(rows * cols);
    const bool fuse = cols <= (from_memory ? norm4j::kStreamedFusedRowMax : norm4j::kFusedRowMax);
    const int64_t ahead = from_memory ? std::max<int64_t>(1, norm4j::kPrefetchAhead / cols) : 0;  // in rows
    norm4j::parallel_row_shares(rows, threads, [&](int64_t first, int64_t count) {
        const int64_t end = first + count;
        auto pivot = [&](int64_t r) { return centred ? static_cast<double>(x[r * cols]) : 0.0; };
        double s1 = 0, s2 = 0;
        auto sums_of = [&](int64_t r) {
            if (centred) k.pivoted_sums(x + r * cols, cols, pivot(r), &s1, &s2);
            else s2 = k.square_sum(x + r * cols, cols);
        };
        sums_of(first);
        for (int64_t r = first; r < end; ++r) {
            const norm4j::CentringConstants c = finish(r, s1, s2);
            const float *xr = x + r * cols;
            float *yr = y + r * cols;
            s1 = s2 = 0;
            if (c.in_double) {
                norm4j::normalize_row_in_double(xr, yr, cols, c, weight, bias);
                if (r + 1 < end) sums_of(r + 1);
            } else if (r + 1 < end && fuse) {
                if (ahead > 0 && r + ahead < end) norm4j::prefetch(x + (r + ahead) * cols, cols);
                k.normalize_then_sums(xr, yr, cols, c, weight, bias, xr + cols, pivot(r + 1),
                                      centred ? &s1 : nullptr, &s2);
            } else {
                k.normalize(xr, yr, cols, c, weight, bias);
                if (r + 1 < end) sums_of(r + 1);
            }
        }
    });
}

}  // namespace

extern "C" int norm4j_layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd) {
    int status = norm4j::check_rows_call(x, y, rows, cols, eps);
    if (status == NORM4J_OK) status = norm4j::check_statistics_pair(mean, rstd);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    const norm4j::GroupCount count(static_cast<double>(cols));
    rows_forward(k, x, y, rows, cols, true, weight, bias, [&](int64_t r, double s1, double s2) {
        const norm4j::MeanVariance mv =
            norm4j::segments_mean_variance_from(k, x + r * cols, 1, cols, cols, count, s1, s2);
        const norm4j::CentringConstants c = norm4j::centring_constants(mv.mean, mv.var, eps);
        norm4j::store_statistics(mean, rstd, r, mv.mean, c);
        return c;
    });
    return NORM4J_OK;
}

extern "C" int norm4j_rms_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                       const float *weight, float eps, float *rstd) {
    const int status = norm4j::check_rows_call(x, y, rows, cols, eps);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::GroupCount count(static_cast<double>(cols));
    rows_forward(norm4j::active_kernels(), x, y, rows, cols, false, weight, nullptr, [&](int64_t r, double, double s2) {
        // The squares of finite floats cannot overflow a double sum, so an infinite one means the
        // row holds an infinity: its rstd is NaN, and so is every output, as for a NaN.
        const double mean_square = std::isinf(s2) ? std::nan("") : s2 * count.inv;
        const norm4j::CentringConstants c = norm4j::centring_constants(0.0, mean_square, eps);
        if (rstd != nullptr) rstd[r] = c.rstd;
        return c;
    });
    return NORM4J_OK;
}

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

// A group of rows' backward in a rows_backward call: its rows' sums and their share of the
// parameter gradients (read before dx is written, since dx may overwrite dy in place), then their
// dx, while the group is in cache. RMS norm: mean 0 and no centring term.
struct RowGroups {
    const norm4j::KernelTable &k;
    const float *x, *dy;
    float *dx;
    int64_t cols;
    const float *weight, *mean, *rstd;
    bool centred, from_memory;
    int64_t block, group;  // columns per block of the sums; rows per group (tuning.h)

    // The rows [g, g + count) of a chunk ending at `end`; dw and db its partial parameter
    // gradients (null where none), set rather than added to where `start`.
    void backward(int64_t g, int64_t count, int64_t end, double *dw, double *db, bool start) const {
        const double n = static_cast<double>(cols);
        // Only the group's own sums are cleared: zeroing both whole arrays took GCC's `rep stos`,
        // whose start-up cost showed in one-row calls.
        double sum_g[norm4j::kRowGroup], sum_gxhat[norm4j::kRowGroup], shift[norm4j::kRowGroup];
        for (int64_t i = 0; i < count; ++i) {
            sum_g[i] = sum_gxhat[i] = 0.0;
            const int64_t r = g + i;
            shift[i] = centred && norm4j::mean_rounding_matters(mean[r], rstd[r])
                           ? norm4j::xhat_shift(norm4j::sum_from(k, x + r * cols, cols, mean[r]), n, mean[r], rstd[r])
                           : 0.0;
        }
        for (int64_t j = 0; j < cols; j += block) {
            const int64_t at = g * cols + j;
            k.backward_sums_rows(x + at, dy + at, count, std::min(block, cols - j), cols, centred ? mean + g : nullptr,
                                 rstd + g, weight != nullptr ? weight + j : nullptr, sum_g, sum_gxhat,
                                 dw != nullptr ? dw + j : nullptr, db != nullptr ? db + j : nullptr, start);
        }
        for (int64_t i = 0; i < count; ++i) {
            const int64_t r = g + i;
            // From memory, a row's successor in the next group is fetched just before the row's
            // dx is computed from L1: one core has too few misses in flight to keep memory busy.
            if (from_memory && r + group < end) {
                norm4j::prefetch(x + (r + group) * cols, cols);
                norm4j::prefetch(dy + (r + group) * cols, cols);
            }
            // dw's share of the shift is taken before dx, which may overwrite dy.
            if (shift[i] != 0.0 && dw != nullptr)
                for (int64_t j = 0; j < cols; ++j) dw[j] -= shift[i] * dy[r * cols + j];
            const double b = (shift[i] == 0.0 ? sum_gxhat[i] : sum_gxhat[i] - shift[i] * sum_g[i]) / n;
            const float a = !centred ? 0.0f
                                     : static_cast<float>(shift[i] == 0.0 ? sum_g[i] / n : sum_g[i] / n - shift[i] * b);
            k.backward_dx(x + r * cols, dy + r * cols, dx + r * cols, cols, centred ? mean[r] : 0.0f, rstd[r], weight,
                          1.0f, a, static_cast<float>(b), from_memory);
        }
    }
};

// Shared by layer norm and RMS norm backward (RMS norm: mean 0 and no centring term). The
// parameter gradients sum over rows, so each fixed chunk of rows keeps its own partial sums,
// added in chunk order afterwards: the result does not depend on the thread count. Each chunk
// goes in groups of rows (RowGroups): pairs from memory; in cache, long rows in groups of 16 with
// their sums in column blocks (a block's share of dw and db stays in L1 across the group), short
// rows in groups of about 2048 values (a row's dx waits on its sums' reduction, which a longer
// group overlaps with the next rows' sums). Neither grouping nor blocks depend on the thread
// count, and grouping changes no bits.
void rows_backward(const norm4j::KernelTable &k, const float *x, const float *dy, float *dx,
                   int64_t rows, int64_t cols, const float *weight, const float *mean,
                   const float *rstd, bool centred, float *dweight, float *dbias) {
    if (rows == 1) {
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
    const bool from_memory = norm4j::backward_from_memory(rows * cols);
    const int64_t group = from_memory ? norm4j::kRowPair
                          : cols > norm4j::kRowsBackwardColumnBlock
                              ? norm4j::kRowGroup
                              : std::clamp<int64_t>(norm4j::kShortRowGroupValues / cols, norm4j::kRowPair, norm4j::kRowGroup);
    const RowGroups groups{k,    x,       dy,          dx,
                           cols, weight,  mean,        rstd,
                           centred, from_memory, std::min(cols, norm4j::kRowsBackwardColumnBlock), group};
    norm4j::parallel_for(chunks.count(), norm4j::threads_for(rows * cols), [&](int64_t c) {
        double *dw = nullptr, *db = nullptr;
        if (params) {
            const norm4j::ParamGradients mine = set_first ? partial.at(c) : partial.start(c);
            dw = mine.dw;
            db = dbias != nullptr ? mine.db : nullptr;  // none for RMS norm
        }
        const int64_t first = chunks.begin(c), end = first + chunks.size(c);
        for (int64_t g = first; g < end; g += group)
            groups.backward(g, std::min(group, end - g), end, dw, db, set_first && g == first);
    });
    if (params) partial.write_total(k, dweight, dbias);
}

}  // namespace

extern "C" int norm4j_layer_norm_backward(const float *x, const float *dy, float *dx, int64_t rows,
                                          int64_t cols, const float *weight, const float *mean,
                                          const float *rstd, float *dweight, float *dbias) {
    bool empty = false;
    const int status = norm4j::check_backward_call(x, dy, dx, rows, cols, 1,
                                                   mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    rows_backward(norm4j::active_kernels(), x, dy, dx, rows, cols, weight, mean, rstd, true,
                  dweight, dbias);
    return NORM4J_OK;
}

extern "C" int norm4j_rms_norm_backward(const float *x, const float *dy, float *dx, int64_t rows,
                                        int64_t cols, const float *weight, const float *rstd,
                                        float *dweight) {
    bool empty = false;
    const int status = norm4j::check_backward_call(x, dy, dx, rows, cols, 1, rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    rows_backward(norm4j::active_kernels(), x, dy, dx, rows, cols, weight, nullptr, rstd, false,
                  dweight, nullptr);
    return NORM4J_OK;
}
