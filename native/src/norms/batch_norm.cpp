// NATIVE batch norm forward: statistics per channel over the batch and the spatial positions.
// Channels-first data is reduced plane by plane (contiguous segments), channels in parallel;
// channels-last data, and [N, C] input (no spatial extent), column-wise across channels, in
// fixed chunks of rows whose partial sums are added in chunk order (see threading.h).
#include <algorithm>
#include <cmath>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "activation_pass.h"
#include "channel_constants.h"
#include "channel_passes.h"
#include "double_normalize.h"
#include "segment_statistics.h"

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
    if (!training) {
        normalize_with_statistics(k, x, y, n, c, s, layout, weight, bias, eps, running_mean, running_var, activation);
        return NORM4J_OK;
    }
    const int threads = threads_for(n * c * s);
    if (layout == NORM4J_LAYOUT_NCHW && s > 1) {  // [N, C] data is channels-last whatever the declared layout
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
    normalize_columns_with(k, x, y, n * s, c, threads, weight, bias, activation, [&](auto set) {
        column_statistics(k, x, n * s, c, threads, [&](int64_t ch, const MeanVariance &mv) {
            const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
            save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
            set(ch, g);
        });
    });
    return NORM4J_OK;
}
