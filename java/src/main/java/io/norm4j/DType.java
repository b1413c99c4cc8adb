package io.norm4j;

/**
 * How a tensor stores its values. The arithmetic is the same whatever the storage (f32, with
 * statistics in double): a value is widened exactly when read and rounded once, to nearest even,
 * when written, so a half-precision output is the f32 result rounded to its type. Weights, biases,
 * statistics and parameter gradients are always {@link #FLOAT32}.
 */
public enum DType {
    /** IEEE 754 binary32. */
    FLOAT32("f32", Float.BYTES, 0),
    /** bfloat16: the top 16 bits of a binary32 (8 exponent bits, 7 of mantissa), with its subnormals. */
    BFLOAT16("bf16", 2, 1),
    /** IEEE 754 binary16 (5 exponent bits, 10 of mantissa), with its subnormals; at most 65504. */
    FLOAT16("f16", 2, 2);

    private final String id;
    private final int bytes;
    private final int code;

    DType(String id, int bytes, int code) {
        this.id = id;
        this.bytes = bytes;
        this.code = code;
    }

    /** The short name used in reports and JSON: "f32", "bf16", "f16". */
    public String id() {
        return id;
    }

    /** Bytes per value. */
    public int bytes() {
        return bytes;
    }

    /** The native library's code for this type (NORM4J_F32, NORM4J_BF16, NORM4J_F16). */
    int code() {
        return code;
    }

    /**
     * The value a 16-bit pattern of this type stores, exactly. A NaN pattern gives a NaN with its
     * sign and payload kept (an f16 NaN made quiet, as the x86 conversion does).
     *
     * @throws UnsupportedOperationException for {@link #FLOAT32}, which stores no 16-bit patterns
     */
    public float widen(short bits) {
        return switch (this) {
            case BFLOAT16 -> Float.intBitsToFloat((bits & 0xffff) << 16);
            case FLOAT16 -> HalfConversions.widenF16(bits);
            case FLOAT32 -> throw new UnsupportedOperationException("FLOAT32 stores 32-bit values");
        };
    }

    /**
     * The 16-bit pattern of this type nearest {@code value}, ties to even (IEEE 754
     * roundTiesToEven): beyond the largest finite value, an infinity; a NaN stays a NaN, quiet, with
     * its sign and the top of its payload.
     *
     * @throws UnsupportedOperationException for {@link #FLOAT32}
     */
    public short round(float value) {
        return switch (this) {
            case BFLOAT16 -> HalfConversions.roundBf16(value);
            case FLOAT16 -> HalfConversions.roundF16(value);
            case FLOAT32 -> throw new UnsupportedOperationException("FLOAT32 stores 32-bit values");
        };
    }

    /** What storing {@code value} in this type keeps: {@code widen(round(value))}, or the value itself for FLOAT32. */
    public float roundTrip(float value) {
        return this == FLOAT32 ? value : widen(round(value));
    }
}
