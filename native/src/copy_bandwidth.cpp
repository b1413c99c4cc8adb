// A plain copy, timed by the benchmarks to measure the memory bandwidth the kernels
// are compared with. memcpy is what the C library tuned for this CPU.
#include <cstring>

#include "norm4j/norm4j.h"

extern "C" int norm4j_copy(const float *src, float *dst, int64_t n) {
    if (n < 0) return NORM4J_ERR_ARGUMENT;
    if (n == 0) return NORM4J_OK;
    if (src == nullptr || dst == nullptr) return NORM4J_ERR_ARGUMENT;
    std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float));
    return NORM4J_OK;
}
