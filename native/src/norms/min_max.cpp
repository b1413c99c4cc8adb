// NATIVE min-max scaling of a [samples, features] matrix: per-feature extrema (fit) and the
// affine map into a target range (transform) or back (inverse).
#include <algorithm>
#include <cmath>
#include <limits>

#include "../api_checks.h"
#include "../kernels.h"
#include "../scratch.h"
#include "../threading.h"

extern "C" int norm4j_min_max_fit(const float *x, int64_t samples, int64_t features,
                                  float *data_min, float *data_max, int accumulate) {
    using namespace norm4j;
    clear_last_error();
    if (samples < 0 || features < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (features == 0) return NORM4J_OK;
    if (data_min == nullptr || data_max == nullptr)
        return fail(NORM4J_ERR_ARGUMENT, "null data_min or data_max");
    if (!accumulate) {
        std::fill(data_min, data_min + features, std::numeric_limits<float>::infinity());
        std::fill(data_max, data_max + features, -std::numeric_limits<float>::infinity());
    }
    if (samples == 0) return NORM4J_OK;
    if (x == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null x");
    if (!fits(samples, features)) return fail(NORM4J_ERR_ARGUMENT, "samples * features overflows");
    // Each chunk of rows keeps its own extrema, merged afterwards (min and max do not depend on
    // the order, but the chunks must not write one array at once).
    const KernelTable &k = active_kernels();
    const int threads = threads_for(samples * features);
    if (threads == 1) {  // one pass straight into the outputs, no partials
        k.column_min_max(x, samples, features, data_min, data_max);
        return NORM4J_OK;
    }
    const RowChunks chunks(samples, features);
    ScratchFrame frame;
    float *const mn = frame.array<float>(chunks.count() * features, std::numeric_limits<float>::infinity());
    float *const mx = frame.array<float>(chunks.count() * features, -std::numeric_limits<float>::infinity());
    parallel_for(chunks.count(), threads, [&](int64_t c) {
        const int64_t r0 = chunks.begin(c), nr = chunks.size(c);
        k.column_min_max(x + r0 * features, nr, features, mn + c * features, mx + c * features);
    });
    for (int64_t c = 0; c < chunks.count(); ++c)
        for (int64_t j = 0; j < features; ++j) {
            data_min[j] = std::min(data_min[j], mn[c * features + j]);
            data_max[j] = std::max(data_max[j], mx[c * features + j]);
        }
    return NORM4J_OK;
}

extern "C" int norm4j_min_max_transform(const float *x, float *y, int64_t samples,
                                        int64_t features, const float *data_min,
                                        const float *data_max, float range_min,
                                        float range_max, int inverse) {
    using namespace norm4j;
    clear_last_error();
    if (samples < 0 || features < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (!(range_min < range_max) || std::isinf(range_min) || std::isinf(range_max))
        return fail(NORM4J_ERR_ARGUMENT, "need finite range_min < range_max");
    if (samples == 0 || features == 0) return NORM4J_OK;
    if (x == nullptr || y == nullptr || data_min == nullptr || data_max == nullptr)
        return fail(NORM4J_ERR_ARGUMENT, "null pointer");
    if (!fits(samples, features)) return fail(NORM4J_ERR_ARGUMENT, "samples * features overflows");
    // Per-feature constants in double, rounded once: y = (x - sub) * scale + add.
    ScratchFrame frame;
    float *const sub = frame.array<float>(features), *const scale = frame.array<float>(features);
    float *const add = frame.array<float>(features);
    const double width = static_cast<double>(range_max) - static_cast<double>(range_min);
    for (int64_t j = 0; j < features; ++j) {
        double range = static_cast<double>(data_max[j]) - static_cast<double>(data_min[j]);
        if (range == 0.0) range = 1.0;  // a constant feature maps to range_min
        sub[j] = inverse ? range_min : data_min[j];
        scale[j] = static_cast<float>(inverse ? range / width : width / range);
        add[j] = inverse ? data_min[j] : range_min;
    }
    const KernelTable &k = active_kernels();
    const int threads = threads_for(samples * features);
    parallel_row_shares(samples, threads, [&](int64_t r0, int64_t nr) {
        k.scale_columns(x + r0 * features, y + r0 * features, nr, features, sub, scale, add);
    });
    return NORM4J_OK;
}
