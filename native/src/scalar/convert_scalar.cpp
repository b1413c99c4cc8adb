// Portable storage conversions, one value at a time (storage_types.h).
#include "../kernels.h"

namespace norm4j::scalar {

void bf16_to_floats(const bf16 *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) dst[i] = value_of(src[i]);
}

void floats_to_bf16(const float *src, bf16 *dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) store_value(dst + i, src[i]);
}

void f16_to_floats(const f16 *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) dst[i] = value_of(src[i]);
}

void floats_to_f16(const float *src, f16 *dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) store_value(dst + i, src[i]);
}

}  // namespace norm4j::scalar
