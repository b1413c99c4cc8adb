// NATIVE batch norm forward: statistics per channel over the batch and the spatial positions.
// Channels-first data is reduced plane by plane (contiguous segments), channels in parallel;
// channels-last data, and [N, C] input (no spatial extent), column-wise across channels, in
// fixed chunks of rows whose partial sums are added in chunk order (see threading.h).
#include <algorithm>
#include <atomic>
#include <cmath>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "activation_pass.h"
#include "channel_constants.h"
#include "channel_passes.h"
#include "double_normalize.h"
#include "segment_statistics.h"

namespace norm4j {

namespace {

// Per-channel mean and biased variance of channels-last [rows, c] data, in double, handed to
// finish(ch, MeanVariance): one pass about the first row where pivoted_mean_variance accepts
// every channel, else a pass for the sums and one for the centred squares. (Channels finished
// before a later one is rejected are finished again from the two-pass statistics.)
template <typename Finish>
void column_statistics(const KernelTable &k, const float *x, int64_t rows, int64_t c, int threads,
                       Finish finish) {
    const GroupCount count(static_cast<double>(rows));
    // A term's chain: its chunk's sum (at most one addition per row of the chunk, and one per
    // tile of rows into the chunk's partial), then the chunks' partials added in order.
    const RowChunks chunks = column_chunks(rows, c);
    const double chain = static_cast<double>(chunks.per_chunk + 1 + chunks.count());
    std::atomic<bool> accepted{true};
    chunked_column_sums<2>(
        chunks, c, threads,
        [&](int64_t r0, int64_t nr, double *part) { k.column_pivoted_sums(x + r0 * c, nr, c, x, part, part + c); },
        [&](int64_t ch, const double *t) {
            MeanVariance mv;
            if (pivoted_mean_variance(x[ch], t[0], t[1], count, chain, &mv)) finish(ch, mv);
            else accepted.store(false, std::memory_order_relaxed);
        });
    if (accepted.load()) return;
    ScratchFrame frame;
    double *const mean = frame.array<double>(c);
    chunked_column_sums<1>(
        chunks, c, threads, [&](int64_t r0, int64_t nr, double *part) { k.column_sums(x + r0 * c, nr, c, part); },
        [&](int64_t ch, const double *t) { mean[ch] = t[0] / count.n; });
    chunked_column_sums<1>(
        chunks, c, threads,
        [&](int64_t r0, int64_t nr, double *part) { k.column_centred_square_sums(x + r0 * c, nr, c, mean, part); },
        [&](int64_t ch, const double *t) { finish(ch, MeanVariance{mean[ch], t[0] / count.n}); });
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_batch_norm_forward(const float *x, float *y, int64_t n, int64_t c,
                                         int64_t s, int layout, const float *weight,
                                         const float *bias, float eps,
                                         const float *running_mean, const float *running_var,
                                         float *mean, float *rstd, float *var, int activation) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, &empty);
    if (status != NORM4J_OK) return status;
    if (!valid_activation(activation)) return fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    const bool training = mean != nullptr;
    if (!training && (running_mean == nullptr || running_var == nullptr))
        return fail(NORM4J_ERR_ARGUMENT, "inference needs running_mean and running_var");
    if (empty) return NORM4J_OK;

    const KernelTable &k = active_kernels();
    // [N, C] data is channels-last whatever the declared layout.
    const bool columns = layout == NORM4J_LAYOUT_NHWC || s == 1;
    const int threads = threads_for(n * c * s);
    if (training && !columns) {
        // Channels-first: each channel's statistics, then its planes normalized while they are
        // still in cache (a channel of a [32, 64, 56, 56] batch is 400 KB), channels in parallel.
        // y is written around the caches from forward_from_memory's size, as inference's
        // (apply_planes).
        const bool from_memory = forward_from_memory(n * c * s);
        parallel_for(c, threads, [&](int64_t ch) {
            const MeanVariance mv = segments_mean_variance(k, x + ch * s, n, s, c * s, from_memory);
            const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
            save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
            for (int64_t i = 0; i < n; ++i) {
                const int64_t offset = (i * c + ch) * s;
                normalize_plane(k, x + offset, y + offset, s, g, weight_of(weight, ch), bias_of(bias, ch),
                                from_memory, activation);
            }
        });
        return NORM4J_OK;
    }
    ScratchFrame frame;
    if (columns) {
        ColumnAffine affine(frame, c);
        ChannelConstants exact(frame, c);  // for the double path, when a channel needs it
        std::atomic<bool> in_double{false};
        auto set = [&](int64_t ch, const CentringConstants &g) {
            affine.set(ch, g, weight_of(weight, ch), bias_of(bias, ch));
            exact.set(ch, g);
            if (g.in_double) in_double.store(true, std::memory_order_relaxed);
        };
        if (training) {
            column_statistics(k, x, n * s, c, threads, [&](int64_t ch, const MeanVariance &mv) {
                const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
                save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
                set(ch, g);
            });
        } else {
            parallel_for_blocks(c, threads, [&](int64_t ch) {
                set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
            });
        }
        if (!in_double.load()) {
            apply_columns(k, x, y, n * s, c, threads, affine, activation);
        } else {
            normalize_columns_in_double(x, y, n * s, c, exact.all, weight, bias);
            activate_block(k, y, n * s * c, activation);
        }
        return NORM4J_OK;
    }
    ChannelConstants cc(frame, c);  // channels-first inference
    for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
    apply_planes(k, x, y, n, c, s, threads, cc, weight, bias, activation);
    return NORM4J_OK;
}
