// NATIVE batch norm: statistics per channel over the batch and the spatial positions.
// Channels-first data is reduced plane by plane (contiguous segments); channels-last data,
// and [N, C] input (no spatial extent), column-wise across channels.
#include <cmath>
#include <algorithm>
#include <vector>

#include "../api_checks.h"
#include "../kernels.h"
#include "channel_constants.h"
#include "gradient_sums.h"

namespace norm4j {

namespace {

// Per-channel batch mean and biased variance, in double.
void batch_statistics(const KernelTable &k, const float *x, int64_t n, int64_t c, int64_t s,
                      bool columns, std::vector<double> &mean, std::vector<double> &var) {
    const double count = static_cast<double>(n) * static_cast<double>(s);
    std::vector<double> acc(static_cast<size_t>(c), 0.0);
    if (columns) {
        k.column_sums(x, n * s, c, acc.data());
        for (int64_t ch = 0; ch < c; ++ch) mean[ch] = acc[ch] / count;
        std::fill(acc.begin(), acc.end(), 0.0);
        k.column_centred_square_sums(x, n * s, c, mean.data(), acc.data());
    } else {
        for (int64_t i = 0; i < n; ++i)
            for (int64_t ch = 0; ch < c; ++ch) acc[ch] += k.sum(x + (i * c + ch) * s, s);
        for (int64_t ch = 0; ch < c; ++ch) mean[ch] = acc[ch] / count;
        std::fill(acc.begin(), acc.end(), 0.0);
        for (int64_t i = 0; i < n; ++i)
            for (int64_t ch = 0; ch < c; ++ch)
                acc[ch] += k.centred_square_sum(x + (i * c + ch) * s, s, mean[ch]);
    }
    for (int64_t ch = 0; ch < c; ++ch) var[ch] = acc[ch] / count;
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
    ChannelConstants cc(c);
    if (training) {
        std::vector<double> m(static_cast<size_t>(c)), v(static_cast<size_t>(c));
        batch_statistics(k, x, n, c, s, columns, m, v);
        for (int64_t ch = 0; ch < c; ++ch) {
            const CentringConstants g = centring_constants(m[ch], v[ch], eps);
            cc.set(ch, g);
            save_group_statistics(ch, m[ch], v[ch], g, mean, rstd, var);
        }
    } else {
        for (int64_t ch = 0; ch < c; ++ch)
            cc.set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
    }

    if (columns) {
        k.normalize_columns(x, y, n * s, c, cc.hi.data(), cc.lo.data(), cc.rstd.data(), weight,
                            bias);
    } else {
        for (int64_t i = 0; i < n; ++i)
            for (int64_t ch = 0; ch < c; ++ch) {
                const int64_t offset = (i * c + ch) * s;
                k.normalize_uniform(x + offset, y + offset, s, cc.get(ch),
                                    weight != nullptr ? weight[ch] : 1.0f,
                                    bias != nullptr ? bias[ch] : 0.0f);
            }
    }
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
    const int status = check_backward_call(x, dy, dx, n, c, s, mean, rstd, &empty);
    if (status != NORM4J_OK || empty) return status;
    const KernelTable &k = active_kernels();
    const bool columns = layout == NORM4J_LAYOUT_NHWC || s == 1;

    // Per channel: sum dy and sum dy * xhat (these are also dbias and dweight).
    ParamGradients sums(c);
    if (columns) {
        k.column_backward_sums(x, dy, n * s, c, mean, rstd, sums.db.data(), sums.dw.data());
    } else {
        for (int64_t i = 0; i < n; ++i)
            for (int64_t ch = 0; ch < c; ++ch) {
                const int64_t offset = (i * c + ch) * s;
                k.backward_sums(x + offset, dy + offset, s, mean[ch], rstd[ch], nullptr,
                                &sums.db[ch], &sums.dw[ch]);
            }
    }
    if (!batch_statistics) {
        // Constant statistics: dx = dy * rstd * w, which does not depend on x (a NaN in x must
        // not reach dx). That is normalize with mean 0: (dy - 0 - 0) * rstd * w.
        ChannelConstants cc(c);
        for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, CentringConstants{0.0f, 0.0f, rstd[ch]});
        if (columns) {
            k.normalize_columns(dy, dx, n * s, c, cc.hi.data(), cc.lo.data(), cc.rstd.data(), weight,
                                nullptr);
        } else {
            for (int64_t i = 0; i < n; ++i)
                for (int64_t ch = 0; ch < c; ++ch) {
                    const int64_t offset = (i * c + ch) * s;
                    k.normalize_uniform(dy + offset, dx + offset, s, cc.get(ch),
                                        weight != nullptr ? weight[ch] : 1.0f, 0.0f);
                }
        }
        sums.write(dweight, dbias);
        return NORM4J_OK;
    }
    // dx = rstd * (g - a - xhat * b) with g = dy * w, a and b the channel means of g and g * xhat.
    const double count = static_cast<double>(n) * static_cast<double>(s);
    std::vector<float> a(static_cast<size_t>(c)), b(static_cast<size_t>(c));
    for (int64_t ch = 0; ch < c; ++ch) {
        const double w = weight != nullptr ? weight[ch] : 1.0;
        a[ch] = static_cast<float>(w * sums.db[ch] / count);
        b[ch] = static_cast<float>(w * sums.dw[ch] / count);
    }
    if (columns) {
        k.column_backward_dx(x, dy, dx, n * s, c, mean, rstd, weight, a.data(), b.data());
    } else {
        for (int64_t i = 0; i < n; ++i)
            for (int64_t ch = 0; ch < c; ++ch) {
                const int64_t offset = (i * c + ch) * s;
                k.backward_dx(x + offset, dy + offset, dx + offset, s, mean[ch], rstd[ch], nullptr,
                              weight != nullptr ? weight[ch] : 1.0f, a[ch], b[ch]);
            }
    }
    sums.write(dweight, dbias);
    return NORM4J_OK;
}
