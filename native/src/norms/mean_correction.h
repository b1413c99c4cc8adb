// Backward with the group's own mean. The saved mean is an f32, off from the mean the forward
// centred with by up to half an ulp; every xhat = (x - mean) * rstd the backward forms is then
// shifted by c = (true mean - saved mean) * rstd, up to 0.05 at mean 1e4 and std 1e-2, which
// moves dx and dweight by as much relative to their size. The backward recovers c from the group
// itself: sum (x - saved) = n (true mean - saved) exactly in real arithmetic, each x - saved is
// exact in double, and the sum is taken in double while the group is in cache for its backward
// sums (no extra pass over memory). With c known, xhat_true = xhat - c gives
//   sum g xhat_true = sum g xhat - c sum g,
//   dweight = sum dy xhat_true = sum dy xhat - c sum dy (per group of a channel's terms),
//   dx = rstd (g - a - xhat_true b) = rstd (g - (a - c b) - xhat b),
// so the kernels run unchanged and only their constants are corrected.
//
// Where half an ulp of the saved mean times rstd is at most 2^-24 (|mean| below about rstd^-1,
// the well-conditioned case), c is below the f32 rounding of xhat itself and the correction is
// skipped: ordinary calls pay one comparison per group.
#ifndef NORM4J_MEAN_CORRECTION_H
#define NORM4J_MEAN_CORRECTION_H

#include <cfloat>
#include <cmath>
#include <cstdint>

#include "../kernels.h"

namespace norm4j {

// The distance from |mean| to the next float up.
inline double ulp_of(float mean) {
    return static_cast<double>(std::nextafter(std::fabs(mean), INFINITY)) - std::fabs(mean);
}

// Whether the saved mean's rounding can shift xhat by more than 2^-24. A normal float's ulp is at
// most 2^-23 of it, so where |mean| rstd <= 1 (the product of two floats, exact in double) it
// cannot: that test answers for ordinary groups without the ulp's library call.
inline bool mean_rounding_matters(float mean, float rstd) {
    if (!(std::fabs(static_cast<double>(mean)) * rstd > 1.0) && std::fabs(mean) >= FLT_MIN) return false;
    if (!std::isfinite(mean) || !std::isfinite(rstd)) return false;  // such a group is NaN or constant anyway
    return 0.5 * ulp_of(mean) * static_cast<double>(rstd) > 0x1p-24;
}

// The shift c of a group's xhat from the saved mean's rounding, given sum (x - saved) over its n
// values. Only a rounding is undone: where the group's mean lies more than an ulp from the saved
// one (statistics that did not come from a forward call on this x), or the sum is not finite (a
// group holding NaN or Inf), the saved mean is used as given: 0.
inline double xhat_shift(double sum_x_minus_saved, double n, float mean, float rstd) {
    const double delta = sum_x_minus_saved / n;
    if (!(std::fabs(delta) <= ulp_of(mean))) return 0.0;
    return delta * static_cast<double>(rstd);
}

// sum (x - pivot) over n contiguous values, in double.
inline double sum_from(const KernelTable &k, const float *x, int64_t n, float pivot) {
    double s1 = 0, s2 = 0;
    k.pivoted_sums(x, n, static_cast<double>(pivot), &s1, &s2);
    return s1;
}

}  // namespace norm4j

#endif
