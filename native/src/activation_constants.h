// The activations the fused norms apply after their output (norm4j.h: NORM4J_ACTIVATION_*), as
// every kernel set computes them, one f32 operation at a time in the same order, so that each
// set gives the same bits (generic/activation_kernels.h, scalar/activation_scalar.cpp):
//
//   relu(v) = 0 > v ? 0 : v                        (NaN stays NaN)
//   relu'(v) = v > 0 ? 1 : 0                       (0 at 0 and for NaN, as PyTorch's)
//   silu(v) = v / (1 + e(-v))
//   silu'(v) = s * (1 + v * (1 - s)), s = 1 / (1 + e(-v))
//
// e(t) is e^t to within a few ulps: t clamped to [kExpLowest, kExpHighest] (so that 2^n is a
// normal float), n = nearest(t log2 e), r = t - n ln 2 in two fused steps (ln 2 split into a
// short high part and the rest), a degree-7 Taylor polynomial of e^r for |r| <= ln 2 / 2
// (truncation below 6e-9 relative), times 2^n; above kExpOverflow, +infinity. Clamping at the low
// end changes nothing the activations keep (1 + e(t) is then 1); between kExpHighest and
// kExpOverflow e(t) is e^kExpHighest instead of up to 1.6 times that, which moves silu of a value
// below -88 by less than 1e-36.
#ifndef NORM4J_ACTIVATION_CONSTANTS_H
#define NORM4J_ACTIVATION_CONSTANTS_H

namespace norm4j {

constexpr float kExpLowest = -87.3f;    // nearest(t log2 e) >= -126
constexpr float kExpHighest = 88.3f;    // nearest(t log2 e) <= 127
constexpr float kExpOverflow = 88.72284f;  // ln of the largest float
constexpr float kLog2E = 1.44269504f;
constexpr float kLn2High = 0.693359375f;     // 355 / 512: n times it is exact
constexpr float kLn2Low = -2.12194440e-4f;   // ln 2 - kLn2High
constexpr int kExpDegree = 7;
// 1 / k!, k = 0 .. kExpDegree
constexpr float kExpTerms[kExpDegree + 1] = {1.0f,          1.0f,          0.5f,           0.16666667f,
                                             0.041666668f,  0.008333334f,  0.0013888889f,  1.9841270e-4f};

}  // namespace norm4j

#endif
