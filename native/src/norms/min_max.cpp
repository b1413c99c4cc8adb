// NATIVE min-max scaling of a [samples, features] matrix: per-feature extrema (fit) and the
// affine map into a target range (transform) or back (inverse). Data stored as bf16 or f16 are
// widened a block of rows at a time into the thread's scratch (in L2), taken through the f32
// kernels there, and the output rounded out once: the f32 call's bits on the widened values.
#include <algorithm>
#include <cmath>
#include <limits>

#include "../api_checks.h"
#include "../kernels.h"
#include "../scratch.h"
#include "../storage_runs.h"
#include "../threading.h"

namespace {

// Extends mn and mx by the extrema of rows [first, first + count) of x, stored as x_type.
void column_min_max_of(const norm4j::KernelTable &k, const void *x, int x_type, int64_t first, int64_t count,
                       int64_t features, float *mn, float *mx) {
    if (x_type == NORM4J_F32) {
        k.column_min_max(static_cast<const float *>(x) + first * features, count, features, mn, mx);
        return;
    }
    norm4j::for_each_widened_block(k, x, x_type, first, count, features,
                           [&](float *block, int64_t, int64_t n) { k.column_min_max(block, n, features, mn, mx); });
}

// Rows [first, first + count) of y = (x - sub) * scale + add, x and y stored as their types.
void scale_columns_of(const norm4j::KernelTable &k, const void *x, int x_type, void *y, int y_type, int64_t first,
                      int64_t count, int64_t features, const float *sub, const float *scale, const float *add) {
    if (x_type == NORM4J_F32 && y_type == NORM4J_F32) {
        k.scale_columns(static_cast<const float *>(x) + first * features, static_cast<float *>(y) + first * features,
                        count, features, sub, scale, add);
        return;
    }
    norm4j::for_each_widened_block(k, x, x_type, first, count, features, [&](float *block, int64_t r, int64_t n) {
        k.scale_columns(block, block, n, features, sub, scale, add);
        norm4j::round_run(k, block, y, y_type, r * features, n * features);
    });
}

}  // namespace

extern "C" int norm4j_min_max_fit(const float *x, int64_t samples, int64_t features, float *data_min, float *data_max,
                                  int accumulate) {
    return norm4j_min_max_fit_stored(x, NORM4J_F32, samples, features, data_min, data_max, accumulate);
}

extern "C" int norm4j_min_max_fit_stored(const void *x, int x_type, int64_t samples, int64_t features,
                                         float *data_min, float *data_max, int accumulate) {
    using namespace norm4j;
    clear_last_error();
    if (samples < 0 || features < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (const int status = check_storage_types(x_type, NORM4J_F32); status != NORM4J_OK) return status;
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
        column_min_max_of(k, x, x_type, 0, samples, features, data_min, data_max);
        return NORM4J_OK;
    }
    const RowChunks chunks(samples, features);
    ScratchFrame frame;
    float *const mn = frame.array<float>(chunks.count() * features, std::numeric_limits<float>::infinity());
    float *const mx = frame.array<float>(chunks.count() * features, -std::numeric_limits<float>::infinity());
    parallel_for(chunks.count(), threads, [&](int64_t c) {
        const int64_t r0 = chunks.begin(c), nr = chunks.size(c);
        column_min_max_of(k, x, x_type, r0, nr, features, mn + c * features, mx + c * features);
    });
    for (int64_t c = 0; c < chunks.count(); ++c)
        for (int64_t j = 0; j < features; ++j) {
            data_min[j] = std::min(data_min[j], mn[c * features + j]);
            data_max[j] = std::max(data_max[j], mx[c * features + j]);
        }
    return NORM4J_OK;
}

extern "C" int norm4j_min_max_transform(const float *x, float *y, int64_t samples, int64_t features,
                                        const float *data_min, const float *data_max, float range_min,
                                        float range_max, int inverse) {
    return norm4j_min_max_transform_stored(x, NORM4J_F32, y, NORM4J_F32, samples, features, data_min, data_max,
                                           range_min, range_max, inverse);
}

extern "C" int norm4j_min_max_transform_stored(const void *x, int x_type, void *y, int y_type, int64_t samples,
                                               int64_t features, const float *data_min, const float *data_max,
                                               float range_min, float range_max, int inverse) {
    using namespace norm4j;
    clear_last_error();
    if (samples < 0 || features < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (const int status = check_storage_types(x_type, y_type); status != NORM4J_OK) return status;
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
        scale_columns_of(k, x, x_type, y, y_type, r0, nr, features, sub, scale, add);
    });
    return NORM4J_OK;
}
