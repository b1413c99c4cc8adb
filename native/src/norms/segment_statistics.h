// Mean and biased variance of a group made of equal contiguous segments (a layer norm row, a
// channels-first group block, a batch norm channel across the samples): one pass about the
// group's first value where pivoted_mean_variance (row_statistics.h) accepts it, two otherwise.
#ifndef NORM4J_SEGMENT_STATISTICS_H
#define NORM4J_SEGMENT_STATISTICS_H

#include <cstdint>

#include "../kernels.h"

namespace norm4j {

// How many additions a term of a group's one-pass sums went through: its segment's sum, then one
// addition into s1 and s2 per later segment (pivoted_mean_variance's `chain`).
inline double segments_chain(int64_t segments, int64_t length) {
    return static_cast<double>(length) + static_cast<double>(segments);
}

// The group is `segments` runs of `length` floats starting `stride` apart from x (count: their
// segments * length values); s1 and s2 are its sums about x[0] (pivoted_sums), from which the
// one-pass statistics come when accepted.
inline MeanVariance segments_mean_variance_from(const KernelTable &k, const float *x, int64_t segments,
                                                int64_t length, int64_t stride, const GroupCount &count,
                                                double s1, double s2) {
    MeanVariance mv;
    if (pivoted_mean_variance(x[0], s1, s2, count, segments_chain(segments, length), &mv)) return mv;
    double sum = 0;
    for (int64_t i = 0; i < segments; ++i) sum += k.sum(x + i * stride, length);
    const double mean = sum / count.n;
    double squares = 0;
    for (int64_t i = 0; i < segments; ++i) squares += k.centred_square_sum(x + i * stride, length, mean);
    return {mean, squares / count.n};
}

// With from_memory (a group too large for the caches), each segment's successor is prefetched
// before the segment is summed: short strided runs leave the hardware prefetchers little to go on.
inline MeanVariance segments_mean_variance(const KernelTable &k, const float *x, int64_t segments,
                                           int64_t length, int64_t stride, bool from_memory = false) {
    double s1 = 0, s2 = 0;
    for (int64_t i = 0; i < segments; ++i) {
        if (from_memory && i + 1 < segments) prefetch(x + (i + 1) * stride, length);
        k.pivoted_sums(x + i * stride, length, x[0], &s1, &s2);
    }
    const GroupCount count(static_cast<double>(segments) * static_cast<double>(length));
    return segments_mean_variance_from(k, x, segments, length, stride, count, s1, s2);
}

}  // namespace norm4j

#endif
