// NATIVE standard (z-score) scaling of a [samples, features] matrix: per-feature moments with NaN
// values skipped (the fit), and y = (x - mean) / scale or its inverse, in double, rounded once.
// Both are column walks over row-major data whose per-element work is a few double operations;
// they run in the compiler's code for the portable target rather than through the kernel table.
#include <cmath>

#include "../api_checks.h"
#include "../scratch.h"
#include "../threading.h"

namespace norm4j {

namespace {

// Moments of one chunk of rows: count, mean and centred sum of squares per feature, NaN skipped,
// in two passes (the sums, then the squares about the chunk's mean).
void chunk_moments(const float *x, int64_t rows, int64_t features, double *count, double *mean, double *m2) {
    for (int64_t j = 0; j < features; ++j) count[j] = mean[j] = m2[j] = 0.0;
    for (int64_t r = 0; r < rows; ++r) {
        const float *row = x + r * features;
        for (int64_t j = 0; j < features; ++j)
            if (!std::isnan(row[j])) {
                count[j] += 1.0;
                mean[j] += row[j];
            }
    }
    for (int64_t j = 0; j < features; ++j) mean[j] = count[j] > 0 ? mean[j] / count[j] : 0.0;
    for (int64_t r = 0; r < rows; ++r) {
        const float *row = x + r * features;
        for (int64_t j = 0; j < features; ++j)
            if (!std::isnan(row[j])) {
                const double d = row[j] - mean[j];
                m2[j] += d * d;
            }
    }
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_feature_moments(const float *x, int64_t samples, int64_t features, double *count, double *mean,
                                      double *m2) {
    using namespace norm4j;
    clear_last_error();
    if (samples < 0 || features < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (features == 0) return NORM4J_OK;
    if (count == nullptr || mean == nullptr || m2 == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null count, mean or m2");
    if (samples > 0 && x == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null x");
    if (!fits(samples, features)) return fail(NORM4J_ERR_ARGUMENT, "samples * features overflows");
    // Chunks of rows in parallel, their moments merged in chunk order (Chan et al.'s update): the
    // same bits for any thread count.
    const RowChunks chunks(samples, features, 16);
    const int64_t parts = samples == 0 ? 0 : chunks.count();
    ScratchFrame frame;
    double *const part = frame.array<double>(3 * (parts > 0 ? parts : 1) * features);
    parallel_for(parts, threads_for(samples * features), [&](int64_t c) {
        double *const mine = part + 3 * c * features;
        chunk_moments(x + chunks.begin(c) * features, chunks.size(c), features, mine, mine + features,
                      mine + 2 * features);
    });
    for (int64_t j = 0; j < features; ++j) count[j] = mean[j] = m2[j] = 0.0;
    for (int64_t c = 0; c < parts; ++c) {
        const double *const theirs = part + 3 * c * features;
        for (int64_t j = 0; j < features; ++j) {
            const double nb = theirs[j];
            if (nb == 0) continue;
            const double na = count[j], n = na + nb, delta = theirs[features + j] - mean[j];
            if (na == 0) {
                mean[j] = theirs[features + j];
                m2[j] = theirs[2 * features + j];
            } else {
                mean[j] += delta * (nb / n);
                m2[j] += theirs[2 * features + j] + delta * delta * (na * nb / n);
            }
            count[j] = n;
        }
    }
    return NORM4J_OK;
}

extern "C" int norm4j_standard_scale(const float *x, float *y, int64_t samples, int64_t features, const double *mean,
                                     const double *scale, int inverse) {
    using namespace norm4j;
    clear_last_error();
    if (samples < 0 || features < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (samples == 0 || features == 0) return NORM4J_OK;
    if (x == nullptr || y == nullptr || mean == nullptr || scale == nullptr)
        return fail(NORM4J_ERR_ARGUMENT, "null x, y, mean or scale");
    if (!fits(samples, features)) return fail(NORM4J_ERR_ARGUMENT, "samples * features overflows");
    parallel_row_shares(samples, threads_for(samples * features), [&](int64_t r0, int64_t nr) {
        for (int64_t r = r0; r < r0 + nr; ++r) {
            const float *in = x + r * features;
            float *out = y + r * features;
            if (inverse)
                for (int64_t j = 0; j < features; ++j) out[j] = static_cast<float>(in[j] * scale[j] + mean[j]);
            else
                for (int64_t j = 0; j < features; ++j) out[j] = static_cast<float>((in[j] - mean[j]) / scale[j]);
        }
    });
    return NORM4J_OK;
}
