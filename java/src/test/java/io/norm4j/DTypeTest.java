package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Test;

/**
 * The storage conversions against oracles written another way: every 16-bit pattern widened, and
 * over 2^24 f32 patterns rounded (a stride through the whole range, and every sign and exponent
 * with the low bits that decide a rounding: ties, either side, zero, all ones) checked to be the
 * nearest value of the type, ties to even, beyond its largest finite value an infinity.
 */
class DTypeTest {
    /** The f32 patterns every rounding check covers (see the class comment). */
    static int[] roundingPatterns() {
        int[] lows = {0x0000, 0x0001, 0x0fff, 0x1000, 0x1001, 0x2000, 0x3000, 0x7fff, 0x8000, 0x8001, 0xefff, 0xf000,
            0xf001, 0xffff};
        int[] bits = new int[(1 << 24) + 65536 * lows.length];
        int k = 0;
        for (int i = 0; i < 1 << 24; i++) bits[k++] = i * 257;
        for (int top = 0; top < 65536; top++) for (int low : lows) bits[k++] = top << 16 | low;
        return bits;
    }

    /** An f16 pattern's value from its definition: (-1)^s 2^(e-15) (1 + m/1024), or m 2^-24 where e = 0. */
    private static double f16Value(int h) {
        int s = h >>> 15, e = (h >>> 10) & 31, m = h & 0x3ff;
        double magnitude = e == 0 ? m * 0x1p-24 : Math.scalb(1 + m / 1024.0, e - 15);
        return s == 1 ? -magnitude : magnitude;
    }

    @Test
    void everyBf16PatternWidensToItsTopHalfOfAFloat() {
        for (int h = 0; h < 65536; h++) {
            float v = DType.BFLOAT16.widen((short) h);
            if (Float.floatToRawIntBits(v) != h << 16) fail("bf16 " + Integer.toHexString(h) + " widens to " + v);
        }
    }

    @Test
    void everyF16PatternWidensExactly() {
        for (int h = 0; h < 65536; h++) {
            float v = DType.FLOAT16.widen((short) h);
            int e = (h >>> 10) & 31, m = h & 0x3ff;
            final int pattern = h;
            if (e == 31 && m != 0) {
                assertTrue(Float.isNaN(v), () -> "f16 NaN " + Integer.toHexString(pattern));
                // sign and payload kept, quiet bit set
                assertEquals((h & 0x8000) << 16 | 0x7fc00000 | m << 13, Float.floatToRawIntBits(v));
            } else if (e == 31) {
                assertEquals((h & 0x8000) != 0 ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY, v);
            } else {
                assertEquals(f16Value(h), (double) v, () -> "f16 " + Integer.toHexString(pattern));
                assertEquals(h >>> 15, Float.floatToRawIntBits(v) >>> 31, "sign of zero kept");
            }
        }
    }

    /**
     * Checks that h is value rounded to nearest, ties to even, among the type's values, where
     * {@code next} of a pattern is the next one up in magnitude and the type's largest finite
     * value's next is the overflow threshold's limit.
     */
    private static void assertNearest(DType type, float value, short h) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            assertTrue(Float.isNaN(type.widen(h)), "NaN stays NaN");
            assertEquals(bits >>> 31, (h & 0x8000) >>> 15, "NaN keeps its sign");
            return;
        }
        double v = value, got = type.widen(h);
        assertEquals(bits >>> 31, (h & 0x8000) >>> 15, () -> "sign of " + value);
        double mag = Math.abs(v), magGot = Math.abs(got);
        // The neighbours of the result in magnitude; the rounding is right if value lies within half
        // the gap to each (ties: the result's last bit is 0).
        int m = h & 0x7fff, inf = type == DType.BFLOAT16 ? 0x7f80 : 0x7c00;
        double max = type.widen((short) (inf - 1));
        double ulpTop = max - type.widen((short) (inf - 2));
        double up = m + 1 >= inf ? max + ulpTop : type.widen((short) (m + 1));  // the overflow limit stands in for infinity
        double down = m == 0 ? -type.widen((short) 1) : type.widen((short) (m - 1));
        if (m == inf) {
            assertTrue(mag >= max + ulpTop / 2, () -> value + " rounded to infinity");
            return;
        }
        double lower = (magGot + down) / 2, upper = (magGot + up) / 2;
        boolean even = (m & 1) == 0;
        boolean within = (mag > lower || (even && mag == lower)) && (mag < upper || (even && mag == upper));
        if (!within) fail(type + " rounded " + value + " to " + got + " (neighbours " + down + ", " + up + ")");
    }

    @Test
    void roundingIsToNearestTiesToEvenOverTwoToTheTwentyFourPatterns() {
        int[] patterns = roundingPatterns();
        assertTrue(patterns.length >= 1 << 24);
        for (DType type : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            for (int bits : patterns) {
                float v = Float.intBitsToFloat(bits);
                assertNearest(type, v, type.round(v));
            }
        }
    }

    @Test
    void namedValuesRoundAsIeeeSays() {
        assertEquals((short) 0x7bff, DType.FLOAT16.round(65504f));
        assertEquals((short) 0x7bff, DType.FLOAT16.round(65519.99f));
        assertEquals((short) 0x7c00, DType.FLOAT16.round(65520f));  // the tie past the largest: to even, infinity
        assertEquals((short) 0x0001, DType.FLOAT16.round(0x1p-24f));
        assertEquals((short) 0x0000, DType.FLOAT16.round(0x1p-25f));  // a tie with 0: to even, zero
        assertEquals((short) 0x0002, DType.FLOAT16.round(0x1.8p-24f));  // a tie between 1 and 2 ulps: 2
        assertEquals((short) 0x8000, DType.FLOAT16.round(-0f));
        assertEquals((short) 0x3f80, DType.BFLOAT16.round(1f));
        assertEquals((short) 0x3f80, DType.BFLOAT16.round(Float.intBitsToFloat(0x3f808000)));  // tie to even
        assertEquals((short) 0x3f82, DType.BFLOAT16.round(Float.intBitsToFloat(0x3f818000)));  // tie to even, up
        assertEquals((short) 0x7f80, DType.BFLOAT16.round(Float.MAX_VALUE));  // overflows to infinity
        assertEquals((short) 0x0001, DType.BFLOAT16.round(Float.intBitsToFloat(0x00008000 + 1)));  // a subnormal kept
        assertEquals((short) 0xffc1, DType.BFLOAT16.round(Float.intBitsToFloat(0xff812345)));  // NaN quieted, payload top
        assertEquals(1.5f, DType.BFLOAT16.roundTrip(1.5f));
        assertEquals(0.1f, DType.FLOAT32.roundTrip(0.1f));
        assertThrows(UnsupportedOperationException.class, () -> DType.FLOAT32.round(1f));
        assertThrows(UnsupportedOperationException.class, () -> DType.FLOAT32.widen((short) 0));
    }
}
