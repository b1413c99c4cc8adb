// Portable element-wise kernels, one value at a time.
#include <cstring>

#include "../kernels.h"

namespace norm4j::scalar {

void add_arrays(const float *a, const float *b, float *out, int64_t n, bool) {
    for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
}

void copy_floats(const float *src, float *dst, int64_t n, bool) { std::memcpy(dst, src, n * sizeof(float)); }

}  // namespace norm4j::scalar
