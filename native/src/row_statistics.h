// How every NATIVE kernel turns double-precision row sums into the numbers it applies.
//
// The mean is kept as an unevaluated sum of two floats (hi + lo), so centring
// (x - hi) - lo in f32 loses almost nothing even when the mean is large and the spread
// small: x - hi is exact when x and hi are within a factor of two (Sterbenz), and the
// remaining lo correction is tiny. This is what keeps the error near the rounding of the
// output at mean 1e4, std 1e-2, where a plain f32 mean is off by 5e-2.
#ifndef NORM4J_ROW_STATISTICS_H
#define NORM4J_ROW_STATISTICS_H

#include <cfloat>
#include <cmath>
#include <cstdint>

namespace norm4j {

struct CentringConstants {
    float mean_hi;  // float nearest the mean
    float mean_lo;  // float nearest (mean - mean_hi); 0 when the mean is not finite
    float rstd;     // 1 / sqrt(var + eps), rounded once from double
    // Whether f32 arithmetic cannot apply these constants, so the group is normalized in double
    // (double_normalize.h): rstd is finite but overflows f32 (eps = 0 and a variance under
    // 2^-256, as subnormal inputs give), or the spread is so wide (variance >= 2^200) that
    // x - mean may overflow f32 and rstd may be subnormal there (finite inputs near f32's top;
    // with at most 2^31 values, |x - mean| > 2^128 needs a variance above 2^225). Such groups
    // are rare, so ordinary calls pay one comparison per group.
    bool in_double = false;
    double mean_exact = 0, rstd_exact = 0;  // the double mean and rstd, set when in_double
};

inline CentringConstants centring_constants(double mean, double variance, float eps) {
    CentringConstants c;
    c.mean_hi = static_cast<float>(mean);
    // An infinite mean (a running mean of +-Inf) centres as IEEE arithmetic would, x - inf;
    // inf - inf would make lo NaN and every output with it.
    c.mean_lo = std::isfinite(mean) ? static_cast<float>(mean - static_cast<double>(c.mean_hi)) : 0.0f;
    const double rstd = 1.0 / std::sqrt(variance + static_cast<double>(eps));
    c.rstd = static_cast<float>(rstd);
    if (std::isfinite(rstd) && (rstd > FLT_MAX || variance >= 0x1p200)) {
        c.in_double = true;
        c.mean_exact = mean;
        c.rstd_exact = rstd;
    }
    return c;
}

// Whether hi and lo are both +0 (RMS norm): (x - hi) - lo is then x exactly, sign of zero and
// NaN included, so a kernel may skip the two subtractions and keep the same bits.
inline bool uncentred(const CentringConstants &c) {
    return c.mean_hi == 0.0f && c.mean_lo == 0.0f && !std::signbit(c.mean_hi) && !std::signbit(c.mean_lo);
}

struct MeanVariance {
    double mean, var;
};

// A group's value count and its reciprocal, taken once per call, so that the statistics of each
// group multiply where they would divide: the divider, which each row's rstd also needs for a
// square root and a division, bounds short rows otherwise (docs/tuning.md). The product differs
// from the quotient by at most an ulp of a double.
struct GroupCount {
    double n, inv;
    explicit GroupCount(double count) : n(count), inv(1.0 / count) {}
};

// One-pass mean and variance about a pivot p, a value of the group itself: the kernels sum
// s1 = sum (x - p) and s2 = sum (x - p)^2 in double over the n values, and then
//   mean = p + s1 / n,   var = (s2 - s1 * s1 / n) / n,
// each division by n a product with 1 / n (GroupCount).
// The cancellation in s2 - s1^2/n grows with how far p lies from the mean, and a value of the
// group can lie at most sqrt(n - 1) standard deviations from it (Samuelson's inequality), so it
// stays small, but it is checked rather than assumed: a sum in double errs by at most about
// chain 2^-53 times the sum of its terms' magnitudes, where chain is the most additions any one
// term goes through (n for one running sum; far fewer where the terms are summed in lanes,
// accumulators and chunks that are added up afterwards). That bounds the error of n * var by
// 3 chain 2^-53 s2 (s2 itself, and twice for s1^2/n by Cauchy-Schwarz). The pass is accepted when
// that is at most 2^-30 of n * var, far below f32's 2^-24, so the result keeps the two-pass
// accuracy; otherwise (and for non-finite sums) this returns false and the caller takes two
// passes (a sum, then centred squares). A constant group gives s1 = s2 = 0: the mean is p
// exactly and the variance 0.
//
// chain is the caller's count of additions in its own summation structure; the additions a
// kernel makes combining its accumulators and SIMD lanes (at most two and four levels) and adding
// the result into the caller's sums are added here, rounded up to 16.
inline bool pivoted_mean_variance(double pivot, double s1, double s2, const GroupCount &count, double chain,
                                  MeanVariance *out) {
    constexpr double kCombiningAdds = 16;
    if (!std::isfinite(pivot) || !std::isfinite(s1) || !std::isfinite(s2)) return false;
    if (s2 == 0.0) {  // every value equals the pivot
        *out = {pivot, 0.0};
        return true;
    }
    const double shift = s1 * count.inv;  // mean - p
    const double var_n = s2 - s1 * shift;
    if (3.0 * 0x1p-53 * (chain + kCombiningAdds) * s2 > 0x1p-30 * var_n) return false;
    *out = {pivot + shift, var_n * count.inv};
    return true;
}

// Saved statistics for backward: the mean and rstd each rounded once to float.
inline void store_statistics(float *mean_out, float *rstd_out, int64_t row, double mean,
                             const CentringConstants &c) {
    if (mean_out != nullptr) mean_out[row] = static_cast<float>(mean);
    if (rstd_out != nullptr) rstd_out[row] = c.rstd;
}

}  // namespace norm4j

#endif
