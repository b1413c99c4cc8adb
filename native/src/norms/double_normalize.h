// Normalization in double, for the groups whose constants f32 arithmetic cannot apply
// (CentringConstants::in_double): y = (x - mean) * rstd * w + b, each output rounded once, as
// REFERENCE computes it. Each value is read before its output is written, so y may be x.
#ifndef NORM4J_DOUBLE_NORMALIZE_H
#define NORM4J_DOUBLE_NORMALIZE_H

#include <cstdint>

#include "../kernels.h"
#include "../row_statistics.h"

namespace norm4j {

inline float normalized_in_double(float x, const CentringConstants &c, float w, float b) {
    return static_cast<float>((static_cast<double>(x) - c.mean_exact) * c.rstd_exact * w + b);
}

// A run of n values with one weight and bias (a channels-first plane).
inline void normalize_uniform_in_double(const float *x, float *y, int64_t n, const CentringConstants &c, float w,
                                        float b) {
    for (int64_t i = 0; i < n; ++i) y[i] = normalized_in_double(x[i], c, w, b);
}

// A plane (one weight and bias) by the kernel, or in double where its constants need it; through
// the activation (norm4j.h: NORM4J_ACTIVATION_*) before it is stored.
inline void normalize_plane(const KernelTable &k, const float *x, float *y, int64_t n, const CentringConstants &c,
                            float w, float b, bool around_caches, int activation = NORM4J_ACTIVATION_NONE) {
    if (c.in_double) {
        normalize_uniform_in_double(x, y, n, c, w, b);
        if (activation != NORM4J_ACTIVATION_NONE) k.activate(y, n, activation);
    } else if (activation == NORM4J_ACTIVATION_NONE) {
        k.normalize_uniform(x, y, n, c, w, b, around_caches);
    } else {
        k.normalize_uniform_activated(x, y, n, c, w, b, around_caches, activation);
    }
}

// A row with a weight and bias per value (either may be null: 1 and 0).
inline void normalize_row_in_double(const float *x, float *y, int64_t n, const CentringConstants &c,
                                    const float *weight, const float *bias) {
    for (int64_t i = 0; i < n; ++i)
        y[i] = normalized_in_double(x[i], c, weight != nullptr ? weight[i] : 1.0f, bias != nullptr ? bias[i] : 0.0f);
}

// Channels-last [rows, cols] values with constants per column.
inline void normalize_columns_in_double(const float *x, float *y, int64_t rows, int64_t cols,
                                        const CentringConstants *per_column, const float *weight,
                                        const float *bias) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) {
            const int64_t i = r * cols + j;
            y[i] = normalized_in_double(x[i], per_column[j], weight != nullptr ? weight[j] : 1.0f,
                                        bias != nullptr ? bias[j] : 0.0f);
        }
}

}  // namespace norm4j

#endif
