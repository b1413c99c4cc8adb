package io.norm4j;

/**
 * The exact conversions between f32 and the 16-bit storage types, one value at a time; the native
 * kernels give the same bits (storage_types.h). Widening is exact; rounding is IEEE 754
 * round-to-nearest-even; a NaN keeps its sign and top payload bits and is made quiet.
 */
final class HalfConversions {
    private HalfConversions() {}

    static short roundBf16(float value) {
        int b = Float.floatToRawIntBits(value);
        if ((b & 0x7fffffff) > 0x7f800000) return (short) ((b >>> 16) | 0x40);
        // Adding 0x7fff plus the kept part's lowest bit rounds to nearest, ties to even, and carries
        // into the exponent (up to infinity) where the mantissa overflows.
        return (short) ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16);
    }

    static float widenF16(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16, exponent = (h >>> 10) & 0x1f, mantissa = h & 0x3ff;
        if (exponent == 0) {  // zero or subnormal: mantissa * 2^-24, exact in f32
            return Float.intBitsToFloat(sign | Float.floatToRawIntBits(mantissa * 0x1p-24f));
        }
        if (exponent == 31) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13) | (mantissa != 0 ? 0x400000 : 0));
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    static short roundF16(float value) {
        int b = Float.floatToRawIntBits(value);
        int sign = (b >>> 16) & 0x8000, a = b & 0x7fffffff;
        if (a > 0x7f800000) return (short) (sign | 0x7e00 | ((a >>> 13) & 0x3ff));
        if (a >= 0x477ff000) return (short) (sign | 0x7c00);  // from 65520 (half-way past 65504): infinity
        if (a >= 0x38800000) {  // a normal f16 (from 2^-14): round at bit 13, rebias the exponent
            int rounded = a + 0xfff + ((a >>> 13) & 1);
            return (short) (sign | ((rounded - 0x38000000) >>> 13));
        }
        // A subnormal f16 or zero: |value| * 2^24 rounded to an integer, ties to even (exact scaling).
        return (short) (sign | (int) Math.rint(Float.intBitsToFloat(a) * 0x1p24));
    }
}
