// Batch norm in phases, for one batch spread over processes: each process's moments per channel,
// merged by the caller; normalization with the merged statistics; and the backward's two phases,
// the local sums (merged by the caller as well), then dx from the merged sums. Statistics cross
// the boundary as doubles, so the passes here take them as the single-process calls take their
// own: the f32 mean and rstd the kernels centre with, and the shift of every xhat that the f32
// mean's rounding makes (mean_correction.h), known here from the double mean itself.
#include <cmath>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "batch_norm_backward.h"
#include "channel_passes.h"
#include "segment_statistics.h"

namespace norm4j {

namespace {

// The f32 mean and rstd the kernels take, and each xhat's shift from the mean's rounding.
struct MergedStatistics {
    float *mean, *rstd;
    double *shift;

    MergedStatistics(ScratchFrame &frame, int64_t c, const double *mean_d, const double *var_d, float eps)
        : mean(frame.array<float>(c)), rstd(frame.array<float>(c)), shift(frame.array<double>(c)) {
        for (int64_t ch = 0; ch < c; ++ch) {
            const CentringConstants g = centring_constants(mean_d[ch], var_d[ch], eps);
            mean[ch] = g.mean_hi;
            rstd[ch] = g.rstd;
            // The shift only undoes a rounding: where the mean is not finite, the f32 one is it.
            shift[ch] = std::isfinite(mean_d[ch]) ? (mean_d[ch] - static_cast<double>(g.mean_hi)) * g.rstd : 0.0;
        }
    }
};

int check_phase_call(const void *x, const void *dy, const void *dx, int64_t n, int64_t c, int64_t s, int layout,
                     float eps, const double *mean, const double *var, bool *empty) {
    clear_last_error();
    if (!valid_layout(layout)) return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    if (!valid_eps(eps)) return invalid_eps(eps);
    return check_backward_call(x, dy, dx, n, c, s, mean != nullptr && var != nullptr, empty);
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_batch_norm_moments(const float *x, int64_t n, int64_t c, int64_t s, int layout, double *mean,
                                         double *m2) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_channels_call(x, x, n, c, s, layout, 0.0f, nullptr, nullptr, &empty);
    if (status != NORM4J_OK) return status;
    if (mean == nullptr || m2 == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null mean or m2");
    if (empty) {
        for (int64_t ch = 0; ch < c; ++ch) mean[ch] = m2[ch] = 0.0;
        return NORM4J_OK;
    }
    const KernelTable &k = active_kernels();
    const double count = static_cast<double>(n) * static_cast<double>(s);
    const int threads = threads_for(n * c * s);
    auto finish = [&](int64_t ch, const MeanVariance &mv) {
        mean[ch] = mv.mean;
        m2[ch] = mv.var * count;
    };
    if (layout == NORM4J_LAYOUT_NCHW && s > 1) {  // [N, C] data is channels-last whatever the declared layout
        const bool from_memory = forward_from_memory(n * c * s);
        parallel_for(c, threads, [&](int64_t ch) { finish(ch, segments_mean_variance(k, x + ch * s, n, s, c * s, from_memory)); });
    } else {
        column_statistics(k, x, n * s, c, threads, finish);
    }
    return NORM4J_OK;
}

extern "C" int norm4j_batch_norm_normalize(const float *x, float *y, int64_t n, int64_t c, int64_t s, int layout,
                                           const float *weight, const float *bias, float eps, const double *mean,
                                           const double *var) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_channels_call(x, y, n, c, s, layout, eps, nullptr, nullptr, &empty);
    if (status != NORM4J_OK) return status;
    if (mean == nullptr || var == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null mean or var");
    if (empty) return NORM4J_OK;
    normalize_with_statistics(active_kernels(), x, y, n, c, s, layout, weight, bias, eps, mean, var,
                              NORM4J_ACTIVATION_NONE);
    return NORM4J_OK;
}

extern "C" int norm4j_batch_norm_backward_sums(const float *x, const float *dy, int64_t n, int64_t c, int64_t s,
                                               int layout, const double *mean, const double *var, float eps,
                                               double *sum_dy, double *sum_dy_xhat) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_phase_call(x, dy, dy, n, c, s, layout, eps, mean, var, &empty);
    if (status != NORM4J_OK) return status;
    if (sum_dy == nullptr || sum_dy_xhat == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null sum_dy or sum_dy_xhat");
    if (empty) {
        for (int64_t ch = 0; ch < c; ++ch) sum_dy[ch] = sum_dy_xhat[ch] = 0.0;
        return NORM4J_OK;
    }
    ScratchFrame frame;
    const MergedStatistics merged(frame, c, mean, var, eps);
    // Constant statistics: the passes fill the sums about the f32 mean and stop short of dx.
    BatchNormBackward call(active_kernels(), x, dy, nullptr, n, c, s, nullptr, merged.mean, merged.rstd, false, frame);
    if (layout == NORM4J_LAYOUT_NHWC || s == 1) {
        call.channel_sums_of_columns(backward_from_memory(n * c * s), [](int64_t, float) {});
    } else {
        const bool from_memory = backward_from_memory(n * c * s);
        if (!outgrows_cache(n * c * s, 2 * sizeof(float))) call.channels_first_by_channel(from_memory);
        else call.channels_first_in_memory_order(from_memory);
    }
    for (int64_t ch = 0; ch < c; ++ch) {
        sum_dy[ch] = call.sums.db[ch];
        sum_dy_xhat[ch] = call.sums.dw[ch] - merged.shift[ch] * call.sums.db[ch];
    }
    return NORM4J_OK;
}

extern "C" int norm4j_batch_norm_backward_dx(const float *x, const float *dy, float *dx, int64_t n, int64_t c,
                                             int64_t s, int layout, const float *weight, const double *mean,
                                             const double *var, float eps, const double *sum_dy,
                                             const double *sum_dy_xhat, double count) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_phase_call(x, dy, dx, n, c, s, layout, eps, mean, var, &empty);
    if (status != NORM4J_OK) return status;
    if (sum_dy == nullptr || sum_dy_xhat == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null sum_dy or sum_dy_xhat");
    if (!(count >= 1.0)) return fail(NORM4J_ERR_ARGUMENT, "count must be at least 1");
    if (empty) return NORM4J_OK;
    ScratchFrame frame;
    const MergedStatistics merged(frame, c, mean, var, eps);
    BatchNormBackward call(active_kernels(), x, dy, dx, n, c, s, weight, merged.mean, merged.rstd, true, frame);
    call.shift = merged.shift;
    call.count = count;
    for (int64_t ch = 0; ch < c; ++ch) {
        call.sums.db[ch] = sum_dy[ch];
        call.sums.dw[ch] = sum_dy_xhat[ch];
    }
    const bool from_memory = backward_from_memory(n * c * s);
    if (layout == NORM4J_LAYOUT_NHWC || s == 1) {
        ColumnGradient grad(frame, c);
        for (int64_t ch = 0; ch < c; ++ch) call.set_gradient(grad, ch);
        call.columns_dx(grad, from_memory);
    } else {
        call.planes_dx(from_memory);
    }
    return NORM4J_OK;
}
