// The activations on their own (norm4j_activate), and the first step of a fused batch or group
// norm's backward: the gradient at the activation's input, dy times the activation's derivative
// at the pre-activation (x - mean) * rstd * w + b, recomputed from x and the saved statistics
// (nothing else is kept from the forward). The norm's own backward then takes it as its dy.
#include <algorithm>
#include <cstring>

#include "../api_checks.h"
#include "../kernels.h"
#include "../scratch.h"
#include "../threading.h"
#include "activation_pass.h"
#include "channel_constants.h"

namespace norm4j {

namespace {

// Index of the statistics of sample i and channel ch: per channel (groups 0, batch norm) or per
// sample and group.
struct StatisticsIndex {
    int64_t c, groups;
    int64_t operator()(int64_t i, int64_t ch) const { return groups == 0 ? ch : i * groups + ch / (c / groups); }
};

// f(first, count) over [0, n) in blocks of kStagingBlockValues (in L2), blocks in parallel.
template <typename F>
void for_blocks(int64_t n, F f) {
    const int64_t blocks = (n + kStagingBlockValues - 1) / kStagingBlockValues;
    parallel_for(blocks, threads_for(n), [&](int64_t block) {
        const int64_t first = block * kStagingBlockValues;
        f(first, std::min(kStagingBlockValues, n - first));
    });
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_activate(const float *x, float *y, int64_t n, int activation) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_activation_call(activation, n, &empty);
    if (status != NORM4J_OK || empty) return status;
    if (x == nullptr || y == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null x or y");
    const KernelTable &k = active_kernels();
    // Blocks of y, each copied from x (unless in place) and activated while in cache.
    for_blocks(n, [&](int64_t first, int64_t count) {
        if (x != y) std::memcpy(y + first, x + first, static_cast<size_t>(count) * sizeof(float));
        k.activate(y + first, count, activation);
    });
    return NORM4J_OK;
}

extern "C" int norm4j_activation_backward(const float *pre, const float *dy, float *dpre, int64_t n, int activation) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_activation_call(activation, n, &empty);
    if (status != NORM4J_OK || empty) return status;
    if (pre == nullptr || dy == nullptr || dpre == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null pre, dy or dpre");
    const KernelTable &k = active_kernels();
    const PreActivation identity{0.0f, 1.0f, 1.0f, 0.0f};  // (pre - 0) * 1 * 1 + 0 is pre exactly
    for_blocks(n, [&](int64_t first, int64_t count) {
        k.activation_gradient_plane(pre + first, dy + first, dpre + first, count, identity, activation);
    });
    return NORM4J_OK;
}

extern "C" int norm4j_activation_gradient(const float *x, const float *dy, float *dpre, int64_t n, int64_t c,
                                          int64_t s, int64_t groups, int layout, const float *weight,
                                          const float *bias, const float *mean, const float *rstd,
                                          int activation) {
    using namespace norm4j;
    if (!valid_layout(layout)) return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    if (activation != NORM4J_ACTIVATION_RELU && activation != NORM4J_ACTIVATION_SILU)
        return fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    if (groups < 0 || (groups > 0 && c > 0 && c % groups != 0))
        return fail(NORM4J_ERR_ARGUMENT, "groups must be 0 (per channel) or divide the channels");
    bool empty = false;
    const int status = check_backward_call(x, dy, dpre, n, c, s, mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    const KernelTable &k = active_kernels();
    const StatisticsIndex stat{c, groups};
    const int threads = threads_for(n * c * s);
    if (layout == NORM4J_LAYOUT_NCHW && s > 1) {
        parallel_for(n * c, threads, [&](int64_t plane) {
            const int64_t i = plane / c, ch = plane % c, j = stat(i, ch);
            const PreActivation p{mean[j], rstd[j], weight_of(weight, ch), bias_of(bias, ch)};
            k.activation_gradient_plane(x + plane * s, dy + plane * s, dpre + plane * s, s, p, activation);
        });
        return NORM4J_OK;
    }
    // Channels-last rows (and [N, C] data in either layout): the constants per channel, repeated
    // over a tile of rows, refilled where a share of rows crosses into another sample.
    parallel_row_shares(n * s, threads, [&](int64_t r0, int64_t nr) {
        ScratchFrame frame;  // this thread's
        TiledColumns columns(frame, c);
        for (int64_t row = r0; row < r0 + nr;) {
            const int64_t i = row / s, rows = std::min(r0 + nr, (i + 1) * s) - row;
            if (row == r0 || (groups > 0 && row % s == 0))
                columns.set(mean, rstd, [&](int64_t ch) { return stat(i, ch); }, weight, bias);
            columns.gradient(k, x + row * c, dy + row * c, dpre + row * c, rows, activation);
            row += rows;
        }
    });
    return NORM4J_OK;
}
