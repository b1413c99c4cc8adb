// NATIVE batch norm: statistics per channel over the batch and the spatial positions.
// Channels-first data is reduced plane by plane (contiguous segments), channels in parallel;
// channels-last data, and [N, C] input (no spatial extent), column-wise across channels, in
// fixed chunks of rows whose partial sums are added in chunk order (see threading.h).
#include <algorithm>
#include <cmath>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "channel_constants.h"
#include "gradient_sums.h"
#include "segment_statistics.h"

namespace norm4j {

namespace {

// Column sums over all rows, in fixed chunks of rows (at most 16, so the partials stay few)
// whose partials are added in chunk order: the same bits for any thread count.
// f(first row, rows, out) adds a chunk's sums into out, which holds kOutputs zeroed arrays of
// cols values; sums receives them likewise.
template <int kOutputs, typename ChunkSums>
void chunked_column_sums(int64_t rows, int64_t cols, int threads, double *const (&sums)[kOutputs],
                         ChunkSums f) {
    const RowChunks chunks(rows, cols, 16);
    const int64_t width = kOutputs * cols;
    ScratchFrame frame;
    double *const partial = frame.array<double>(chunks.count() * width);
    parallel_for(chunks.count(), threads, [&](int64_t c) {
        double *const mine = partial + c * width;
        std::fill(mine, mine + width, 0.0);  // by the thread that fills it, into its cache
        f(chunks.begin(c), chunks.size(c), mine);
    });
    for (int64_t c = 0; c < chunks.count(); ++c)
        for (int o = 0; o < kOutputs; ++o)
            for (int64_t j = 0; j < cols; ++j) sums[o][j] += partial[c * width + o * cols + j];
}

// Per-channel mean and biased variance of channels-last data in one pass about the first row
// (see pivoted_mean_variance); false when any channel needs the two-pass route instead.
bool pivoted_column_statistics(const KernelTable &k, const float *x, int64_t rows, int64_t c,
                               int threads, double *mean, double *var) {
    ScratchFrame frame;
    double *const s1 = frame.array<double>(c, 0.0), *const s2 = frame.array<double>(c, 0.0);
    double *const out[2] = {s1, s2};
    chunked_column_sums<2>(rows, c, threads, out, [&](int64_t r0, int64_t nr, double *part) {
        k.column_pivoted_sums(x + r0 * c, nr, c, x, part, part + c);
    });
    for (int64_t ch = 0; ch < c; ++ch) {
        MeanVariance mv;
        if (!pivoted_mean_variance(x[ch], s1[ch], s2[ch], static_cast<double>(rows), &mv)) return false;
        mean[ch] = mv.mean;
        var[ch] = mv.var;
    }
    return true;
}

// Per-channel mean and biased variance of channels-last [rows, c] data, in double: one pass
// where it is provably accurate, else a pass for the sums and one for the centred squares.
void column_statistics(const KernelTable &k, const float *x, int64_t rows, int64_t c, int threads,
                       double *mean, double *var) {
    if (pivoted_column_statistics(k, x, rows, c, threads, mean, var)) return;
    const double count = static_cast<double>(rows);
    ScratchFrame frame;
    double *const acc = frame.array<double>(c, 0.0);
    double *const out[1] = {acc};
    chunked_column_sums<1>(rows, c, threads, out, [&](int64_t r0, int64_t nr, double *part) {
        k.column_sums(x + r0 * c, nr, c, part);
    });
    for (int64_t ch = 0; ch < c; ++ch) mean[ch] = acc[ch] / count;
    std::fill(acc, acc + c, 0.0);
    chunked_column_sums<1>(rows, c, threads, out, [&](int64_t r0, int64_t nr, double *part) {
        k.column_centred_square_sums(x + r0 * c, nr, c, mean, part);
    });
    for (int64_t ch = 0; ch < c; ++ch) var[ch] = acc[ch] / count;
}

// y = normalize(x) with per-channel constants, in whichever memory shape the data has.
void apply_channels(const KernelTable &k, const float *x, float *y, int64_t n, int64_t c,
                    int64_t s, bool columns, int threads, const ChannelConstants &cc,
                    const float *weight, const float *bias) {
    if (columns) {
        ScratchFrame frame;
        ColumnAffine affine(frame, c);
        for (int64_t ch = 0; ch < c; ++ch)
            affine.set(ch, cc.get(ch), weight != nullptr ? weight[ch] : 1.0f, bias != nullptr ? bias[ch] : 0.0f);
        affine.wrap();
        const RowChunks chunks(n * s, c);
        const bool stream = stream_output(n * c * s);
        parallel_for(chunks.count(), threads, [&](int64_t q) {
            const int64_t r0 = chunks.begin(q), nr = chunks.size(q);
            k.normalize_columns(x + r0 * c, y + r0 * c, nr, c, affine.hi.data(), affine.scale.data(),
                                affine.shift.data(), stream);
        });
        return;
    }
    parallel_for(n * c, threads, [&](int64_t plane) {
        const int64_t ch = plane % c;
        k.normalize_uniform(x + plane * s, y + plane * s, s, cc.get(ch),
                            weight != nullptr ? weight[ch] : 1.0f, bias != nullptr ? bias[ch] : 0.0f);
    });
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_batch_norm_forward(const float *x, float *y, int64_t n, int64_t c,
                                         int64_t s, int layout, const float *weight,
                                         const float *bias, float eps,
                                         const float *running_mean, const float *running_var,
                                         float *mean, float *rstd, float *var) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, &empty);
    if (status != NORM4J_OK) return status;
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
        parallel_for(c, threads, [&](int64_t ch) {
            const MeanVariance mv = segments_mean_variance(k, x + ch * s, n, s, c * s);
            const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
            save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
            for (int64_t i = 0; i < n; ++i) {
                const int64_t offset = (i * c + ch) * s;
                k.normalize_uniform(x + offset, y + offset, s, g, weight != nullptr ? weight[ch] : 1.0f,
                                    bias != nullptr ? bias[ch] : 0.0f);
            }
        });
        return NORM4J_OK;
    }
    ScratchFrame frame;
    ChannelConstants cc(frame, c);
    if (training) {
        double *const m = frame.array<double>(c), *const v = frame.array<double>(c);
        column_statistics(k, x, n * s, c, threads, m, v);
        for (int64_t ch = 0; ch < c; ++ch) {
            const CentringConstants g = centring_constants(m[ch], v[ch], eps);
            cc.set(ch, g);
            save_group_statistics(ch, m[ch], v[ch], g, mean, rstd, var);
        }
    } else {
        for (int64_t ch = 0; ch < c; ++ch)
            cc.set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
    }
    apply_channels(k, x, y, n, c, s, columns, threads, cc, weight, bias);
    return NORM4J_OK;
}

extern "C" int norm4j_batch_norm_backward(const float *x, const float *dy, float *dx, int64_t n,
                                          int64_t c, int64_t s, int layout,
                                          const float *weight, const float *mean,
                                          const float *rstd, int batch_statistics,
                                          float *dweight, float *dbias) {
    using namespace norm4j;
    if (!valid_layout(layout)) return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    bool empty = false;
    const int status = check_backward_call(x, dy, dx, n, c, s, mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    const KernelTable &k = active_kernels();
    const bool columns = layout == NORM4J_LAYOUT_NHWC || s == 1;
    const int threads = threads_for(n * c * s);

    // Per channel: sum dy and sum dy * xhat (these are also dbias and dweight).
    ScratchFrame frame;
    ParamGradients sums(frame, c);
    if (columns) {
        double *const out[2] = {sums.db, sums.dw};
        chunked_column_sums<2>(n * s, c, threads, out, [&](int64_t r0, int64_t nr, double *part) {
            k.column_backward_sums(x + r0 * c, dy + r0 * c, nr, c, mean, rstd, part, part + c);
        });
    } else {
        parallel_for(c, threads, [&](int64_t ch) {
            for (int64_t i = 0; i < n; ++i) {
                const int64_t offset = (i * c + ch) * s;
                k.backward_sums(x + offset, dy + offset, s, mean[ch], rstd[ch], nullptr,
                                &sums.db[ch], &sums.dw[ch], nullptr, nullptr);
            }
        });
    }
    if (!batch_statistics) {
        // Constant statistics: dx = dy * rstd * w, which does not depend on x (a NaN in x must
        // not reach dx). That is normalize with mean 0: (dy - 0 - 0) * rstd * w.
        ChannelConstants cc(frame, c);
        for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, CentringConstants{0.0f, 0.0f, rstd[ch]});
        apply_channels(k, dy, dx, n, c, s, columns, threads, cc, weight, nullptr);
        sums.write(dweight, dbias);
        return NORM4J_OK;
    }
    // dx = rstd * (g - a - xhat * b) with g = dy * w, a and b the channel means of g and g * xhat.
    const double count = static_cast<double>(n) * static_cast<double>(s);
    auto weight_of = [&](int64_t ch) { return weight != nullptr ? weight[ch] : 1.0f; };
    if (columns) {
        ColumnGradient grad(frame, c);
        for (int64_t ch = 0; ch < c; ++ch)
            grad.set(ch, mean[ch], rstd[ch], weight_of(ch), weight_of(ch) * sums.db[ch] / count,
                     weight_of(ch) * sums.dw[ch] / count);
        grad.wrap();
        const RowChunks chunks(n * s, c);
        const bool stream = stream_output(n * c * s);
        parallel_for(chunks.count(), threads, [&](int64_t q) {
            const int64_t r0 = chunks.begin(q), nr = chunks.size(q);
            k.column_backward_dx(x + r0 * c, dy + r0 * c, dx + r0 * c, nr, c, grad.mean.data(),
                                 grad.rstd.data(), grad.k_dy.data(), grad.k_x.data(), grad.k_0.data(), stream);
        });
    } else {
        float *const a = frame.array<float>(c), *const b = frame.array<float>(c);
        for (int64_t ch = 0; ch < c; ++ch) {
            a[ch] = static_cast<float>(weight_of(ch) * sums.db[ch] / count);
            b[ch] = static_cast<float>(weight_of(ch) * sums.dw[ch] / count);
        }
        const bool stream = stream_dx(n * c * s);
        parallel_for(n * c, threads, [&](int64_t plane) {
            const int64_t ch = plane % c;
            k.backward_dx(x + plane * s, dy + plane * s, dx + plane * s, s, mean[ch], rstd[ch],
                          nullptr, weight != nullptr ? weight[ch] : 1.0f, a[ch], b[ch], stream);
        });
    }
    sums.write(dweight, dbias);
    return NORM4J_OK;
}
