// Portable element-wise kernels, one value at a time.
#include <cstring>

#include "../kernels.h"

namespace norm4j::scalar {

namespace {

template <typename T>
void add_stored(const T *a, const T *b, T *out, int64_t n) {
    for (int64_t i = 0; i < n; ++i) store_value(out + i, value_of(a[i]) + value_of(b[i]));
}

}  // namespace

void add_arrays(const float *a, const float *b, float *out, int64_t n, bool) { add_stored(a, b, out, n); }
void add_arrays_bf16(const bf16 *a, const bf16 *b, bf16 *out, int64_t n, bool) { add_stored(a, b, out, n); }
void add_arrays_f16(const f16 *a, const f16 *b, f16 *out, int64_t n, bool) { add_stored(a, b, out, n); }

void copy_floats(const float *src, float *dst, int64_t n, bool) { std::memcpy(dst, src, n * sizeof(float)); }

}  // namespace norm4j::scalar
