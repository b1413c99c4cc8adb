// NATIVE group norm (instance norm is the case groups = channels): statistics per sample and
// group of channels. Channels-first groups are one contiguous block each; channels-last
// groups are gathered column-wise, channel sums first, then combined per group.
#include <algorithm>
#include <vector>

#include "../api_checks.h"
#include "../kernels.h"
#include "channel_constants.h"

namespace norm4j {

namespace {

void group_norm_nchw(const KernelTable &k, const float *x, float *y, int64_t n, int64_t c,
                     int64_t s, int64_t groups, const float *weight, const float *bias, float eps,
                     float *mean, float *rstd, float *var) {
    const int64_t cg = c / groups;
    const int64_t count = cg * s;
    for (int64_t i = 0; i < n; ++i)
        for (int64_t g = 0; g < groups; ++g) {
            const int64_t offset = (i * c + g * cg) * s;
            const double m = k.sum(x + offset, count) / static_cast<double>(count);
            const double v = k.centred_square_sum(x + offset, count, m) / static_cast<double>(count);
            const CentringConstants cst = centring_constants(m, v, eps);
            save_group_statistics(i * groups + g, m, v, cst, mean, rstd, var);
            for (int64_t j = 0; j < cg; ++j) {
                const int64_t ch = g * cg + j;
                k.normalize_uniform(x + offset + j * s, y + offset + j * s, s, cst,
                                    weight != nullptr ? weight[ch] : 1.0f,
                                    bias != nullptr ? bias[ch] : 0.0f);
            }
        }
}

void group_norm_nhwc(const KernelTable &k, const float *x, float *y, int64_t n, int64_t c,
                     int64_t s, int64_t groups, const float *weight, const float *bias, float eps,
                     float *mean, float *rstd, float *var) {
    const int64_t cg = c / groups;
    const double count = static_cast<double>(cg) * static_cast<double>(s);
    std::vector<double> acc(static_cast<size_t>(c));
    std::vector<double> channel_mean(static_cast<size_t>(c));
    std::vector<double> group_mean(static_cast<size_t>(groups));
    ChannelConstants cc(c);
    for (int64_t i = 0; i < n; ++i) {
        const float *xi = x + i * s * c;
        std::fill(acc.begin(), acc.end(), 0.0);
        k.column_sums(xi, s, c, acc.data());
        for (int64_t g = 0; g < groups; ++g) {
            double total = 0;
            for (int64_t j = 0; j < cg; ++j) total += acc[g * cg + j];
            group_mean[g] = total / count;
            for (int64_t j = 0; j < cg; ++j) channel_mean[g * cg + j] = group_mean[g];
        }
        std::fill(acc.begin(), acc.end(), 0.0);
        k.column_centred_square_sums(xi, s, c, channel_mean.data(), acc.data());
        for (int64_t g = 0; g < groups; ++g) {
            double squares = 0;
            for (int64_t j = 0; j < cg; ++j) squares += acc[g * cg + j];
            const double v = squares / count;
            const CentringConstants cst = centring_constants(group_mean[g], v, eps);
            save_group_statistics(i * groups + g, group_mean[g], v, cst, mean, rstd, var);
            for (int64_t j = 0; j < cg; ++j) cc.set(g * cg + j, cst);
        }
        k.normalize_columns(xi, y + i * s * c, s, c, cc.hi.data(), cc.lo.data(), cc.rstd.data(),
                            weight, bias);
    }
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_group_norm_forward(const float *x, float *y, int64_t n, int64_t c,
                                         int64_t s, int64_t groups, int layout,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd, float *var) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, &empty);
    if (status != NORM4J_OK) return status;
    if (groups <= 0 || (c > 0 && c % groups != 0))
        return fail(NORM4J_ERR_ARGUMENT, "groups must be positive and divide the channels");
    if (empty) return NORM4J_OK;
    const KernelTable &k = active_kernels();
    if (layout == NORM4J_LAYOUT_NCHW)
        group_norm_nchw(k, x, y, n, c, s, groups, weight, bias, eps, mean, rstd, var);
    else
        group_norm_nhwc(k, x, y, n, c, s, groups, weight, bias, eps, mean, rstd, var);
    return NORM4J_OK;
}
