// How every NATIVE kernel turns double-precision row sums into the numbers it applies.
//
// The mean is kept as an unevaluated sum of two floats (hi + lo), so centring
// (x - hi) - lo in f32 loses almost nothing even when the mean is large and the spread
// small: x - hi is exact when x and hi are within a factor of two (Sterbenz), and the
// remaining lo correction is tiny. This is what keeps the error near the rounding of the
// output at mean 1e4, std 1e-2, where a plain f32 mean is off by 5e-2.
#ifndef NORM4J_ROW_STATISTICS_H
#define NORM4J_ROW_STATISTICS_H

#include <cmath>
#include <cstdint>

namespace norm4j {

struct CentringConstants {
    float mean_hi;  // float nearest the mean
    float mean_lo;  // float nearest (mean - mean_hi)
    float rstd;     // 1 / sqrt(var + eps), rounded once from double
};

inline CentringConstants centring_constants(double mean, double variance, float eps) {
    CentringConstants c;
    c.mean_hi = static_cast<float>(mean);
    c.mean_lo = static_cast<float>(mean - static_cast<double>(c.mean_hi));
    c.rstd = static_cast<float>(1.0 / std::sqrt(variance + static_cast<double>(eps)));
    return c;
}

// Saved statistics for backward: the mean and rstd each rounded once to float.
inline void store_statistics(float *mean_out, float *rstd_out, int64_t row, double mean,
                             const CentringConstants &c) {
    if (mean_out != nullptr) mean_out[row] = static_cast<float>(mean);
    if (rstd_out != nullptr) rstd_out[row] = c.rstd;
}

}  // namespace norm4j

#endif
