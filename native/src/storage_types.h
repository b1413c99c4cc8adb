// The half-precision storage types and their exact conversions to and from f32, one value at a
// time: the scalar kernels use them, and the vector layers' conversions give the same bits.
//
// Widening is exact. Rounding is IEEE 754 round-to-nearest-even from f32: f16 is binary16 with
// its subnormals (values from 65520 on round to infinity); bf16 is the top 16 bits of binary32,
// with its subnormals. A NaN stays a NaN: its sign and top payload bits are kept and the quiet
// bit set (as the x86 conversion instructions do).
#ifndef NORM4J_STORAGE_TYPES_H
#define NORM4J_STORAGE_TYPES_H

#include <cmath>
#include <cstdint>
#include <cstring>

namespace norm4j {

struct bf16 {
    uint16_t bits;
};
struct f16 {
    uint16_t bits;
};

inline uint32_t bits_of(float v) {
    uint32_t b;
    std::memcpy(&b, &v, sizeof b);
    return b;
}

inline float float_of(uint32_t b) {
    float v;
    std::memcpy(&v, &b, sizeof v);
    return v;
}

inline float widen(bf16 h) { return float_of(uint32_t{h.bits} << 16); }

inline bf16 round_to_bf16(float v) {
    const uint32_t b = bits_of(v);
    if ((b & 0x7fffffffu) > 0x7f800000u) return bf16{static_cast<uint16_t>((b >> 16) | 0x40u)};
    return bf16{static_cast<uint16_t>((b + 0x7fffu + ((b >> 16) & 1u)) >> 16)};
}

inline float widen(f16 h) {
    const uint32_t sign = uint32_t{h.bits & 0x8000u} << 16, exponent = (h.bits >> 10) & 0x1fu, mantissa = h.bits & 0x3ffu;
    if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in f32
        const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
        return float_of(sign | bits_of(magnitude));
    }
    if (exponent == 31) return float_of(sign | 0x7f800000u | (mantissa << 13) | (mantissa != 0 ? 0x400000u : 0u));
    return float_of(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

inline f16 round_to_f16(float v) {
    const uint32_t b = bits_of(v);
    const uint32_t sign = (b >> 16) & 0x8000u, a = b & 0x7fffffffu;
    if (a > 0x7f800000u) return f16{static_cast<uint16_t>(sign | 0x7e00u | ((a >> 13) & 0x3ffu))};
    if (a >= 0x477ff000u) return f16{static_cast<uint16_t>(sign | 0x7c00u)};  // from 65520: infinity
    if (a >= 0x38800000u) {  // a normal f16 (from 2^-14): round at bit 13, rebias the exponent
        const uint32_t rounded = a + 0xfffu + ((a >> 13) & 1u);
        return f16{static_cast<uint16_t>(sign | ((rounded - 0x38000000u) >> 13))};
    }
    // A subnormal f16 or zero: |v| * 2^24 rounded to an integer, nearest even (exact scaling).
    const double scaled = static_cast<double>(float_of(a)) * 0x1p24;
    return f16{static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(scaled)))};
}

// A stored value as f32, and an f32 value stored (rounded once where the type is narrower): the
// same operation whatever T, for code written over the storage type.
inline float value_of(float v) { return v; }
inline float value_of(bf16 v) { return widen(v); }
inline float value_of(f16 v) { return widen(v); }
inline void store_value(float *p, float v) { *p = v; }
inline void store_value(bf16 *p, float v) { *p = round_to_bf16(v); }
inline void store_value(f16 *p, float v) { *p = round_to_f16(v); }

}  // namespace norm4j

#endif
