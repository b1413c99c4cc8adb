// Channels-last group norm forward on data stored as bf16 or f16 (group_norm.cpp), for the stored
// entry point (channel_staging.cpp).
#ifndef NORM4J_GROUP_NORM_FORWARD_H
#define NORM4J_GROUP_NORM_FORWARD_H

#include <cstdint>

#include "../kernels.h"

namespace norm4j {

// Channels-last group norm forward of a checked call whose x and y share the storage type `type`
// (NORM4J_F32, BF16 or F16): read and written as stored, samples in parallel, with the bits of the
// f32 call on the widened values, each output rounded once.
void group_norm_nhwc_stored(const KernelTable &k, const void *x, void *y, int type, int64_t n, int64_t c, int64_t s,
                            int64_t groups, const float *weight, const float *bias, float eps, float *mean, float *rstd,
                            float *var, int activation);

}  // namespace norm4j

#endif
