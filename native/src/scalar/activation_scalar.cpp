// Portable activations, one value at a time, each step the f32 operation the vector kernels
// (generic/activation_kernels.h) take in the same order: the same bits.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "../kernels.h"

namespace norm4j::scalar {

namespace {

// The vector layer's max(v, m) and min(v, m): m where v is NaN.
float max_of(float v, float m) { return v > m ? v : m; }
float min_of(float v, float m) { return v < m ? v : m; }

float exp_of(float t) {
    const float clamped = min_of(max_of(t, kExpLowest), kExpHighest);
    const float n = std::nearbyint(clamped * kLog2E);
    float r = std::fma(-n, kLn2High, clamped);
    r = std::fma(-n, kLn2Low, r);
    float p = kExpTerms[kExpDegree];
    for (int i = kExpDegree - 1; i >= 0; --i) p = std::fma(p, r, kExpTerms[i]);
    const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n) + 127) << 23;
    float pow2;
    std::memcpy(&pow2, &bits, sizeof pow2);
    return t > kExpOverflow ? INFINITY : p * pow2;
}

float activated(float v, int kind) {
    if (kind == NORM4J_ACTIVATION_RELU) return 0.0f > v ? 0.0f : v;
    return v / (1.0f + exp_of(0.0f - v));
}

float activation_gradient(float x, float dy, float mean, float rstd, float w, float b, int kind) {
    const float pre = (x - mean) * rstd * w + b;
    if (kind == NORM4J_ACTIVATION_RELU) return pre > 0.0f ? dy : 0.0f;
    const float s = 1.0f / (1.0f + exp_of(0.0f - pre));
    return dy * (s * std::fma(pre, 1.0f - s, 1.0f));
}

}  // namespace

void activate(float *y, int64_t n, int kind) {
    for (int64_t i = 0; i < n; ++i) y[i] = activated(y[i], kind);
}

// The normalized values, then the activation: what the vector kernels compute in one pass.
void normalize_uniform_activated(const float *x, float *y, int64_t n, const CentringConstants &c, float w, float b,
                                 bool around_caches, int kind) {
    normalize_uniform(x, y, n, c, w, b, around_caches);
    activate(y, n, kind);
}

void normalize_columns_activated(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                                 const float *scale, const float *shift, bool around_caches, bool from_memory,
                                 int kind) {
    normalize_columns(x, y, rows, cols, hi, scale, shift, around_caches, from_memory);
    activate(y, rows * cols, kind);
}

namespace {

template <typename T>
void normalize_columns_activated_stored(const T *x, T *y, int64_t rows, int64_t cols, const float *hi,
                                        const float *scale, const float *shift, int kind) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) {
            const float v = (value_of(x[r * cols + j]) - hi[j]) * scale[j] + shift[j];
            store_value(y + r * cols + j, kind == NORM4J_ACTIVATION_NONE ? v : activated(v, kind));
        }
}

}  // namespace

void normalize_columns_activated_bf16(const bf16 *x, bf16 *y, int64_t rows, int64_t cols, const float *hi,
                                      const float *scale, const float *shift, bool, bool, int kind) {
    normalize_columns_activated_stored(x, y, rows, cols, hi, scale, shift, kind);
}

void normalize_columns_activated_f16(const f16 *x, f16 *y, int64_t rows, int64_t cols, const float *hi,
                                     const float *scale, const float *shift, bool, bool, int kind) {
    normalize_columns_activated_stored(x, y, rows, cols, hi, scale, shift, kind);
}

void activation_gradient_plane(const float *x, const float *dy, float *dpre, int64_t n, const PreActivation &p,
                               int kind) {
    for (int64_t i = 0; i < n; ++i) dpre[i] = activation_gradient(x[i], dy[i], p.mean, p.rstd, p.w, p.b, kind);
}

void activation_gradient_row(const float *x, const float *dy, float *dpre, int64_t c, const PreActivationColumns &p,
                             int kind) {
    for (int64_t i = 0; i < c; ++i)
        dpre[i] = activation_gradient(x[i], dy[i], p.mean[i], p.rstd[i], p.w[i], p.b[i], kind);
}

}  // namespace norm4j::scalar
