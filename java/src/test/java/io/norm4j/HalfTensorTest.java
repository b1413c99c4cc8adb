package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import org.bytedeco.javacpp.ShortPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Tensors stored as bf16 and f16: making, wrapping, reading, writing, copying; and the native conversions' bits. */
class HalfTensorTest {
    static java.util.List<BackendVariant> nativeKernelSets() {
        return BackendVariant.available().stream().filter(v -> v.backend == Backend.NATIVE).toList();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BFLOAT16", "FLOAT16"})
    void valuesAreRoundedOnceOnTheWayInAndWidenedExactlyOnTheWayOut(DType type) {
        float[] values = {0f, -0f, 1f, 1.00390625f, 0.1f, -3.14159f, 1e-6f, 60000f, Float.NaN, Float.NEGATIVE_INFINITY};
        try (Tensor t = Tensor.of(type, values, 2, 5)) {
            assertEquals(type, t.dtype());
            float[] expected = new float[values.length];
            for (int i = 0; i < values.length; i++) expected[i] = type.roundTrip(values[i]);
            assertArrayEquals(expected, t.toArray());
            assertEquals(expected[4], t.get(4));
            t.set(4, 2.5f);
            assertEquals(2.5f, t.get(4));
            t.fill(0.1f);
            assertEquals(type.roundTrip(0.1f), t.get(9));
            assertEquals("Tensor[2, 5] " + type.id(), t.toString());
        }
    }

    @Test
    void allocateGivesZerosOfTheTypeAndFloat32StaysTheDefault() {
        try (Tensor h = Tensor.allocate(DType.BFLOAT16, 3, 4); Tensor f = Tensor.allocate(3, 4)) {
            assertEquals(DType.BFLOAT16, h.dtype());
            assertEquals(DType.FLOAT32, f.dtype());
            assertArrayEquals(new float[12], h.toArray());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BFLOAT16", "FLOAT16"})
    void wrapsShortBuffersAndPointersWithoutCopying(DType type) {
        ShortBuffer buffer = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asShortBuffer();
        buffer.put(1, type.round(1.5f));
        try (Tensor t = Tensor.wrap(buffer.position(1), type, 7)) {
            assertEquals(1.5f, t.get(0));
            t.set(1, -2f);
            assertEquals(type.round(-2f), buffer.get(2));
        }
        try (ShortPointer p = new ShortPointer(8)) {
            p.put(3, type.round(0.75f));
            try (Tensor t = Tensor.wrap(p, type, 8)) {
                assertEquals(0.75f, t.get(3));
            }
            p.deallocate();
        }
    }

    @Test
    void wrappingRefusesWhatCannotBeViewed() {
        ShortBuffer direct = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asShortBuffer();
        IllegalArgumentException f32 = assertThrows(IllegalArgumentException.class,
                () -> Tensor.wrap(direct, DType.FLOAT32, 8));
        assertTrue(f32.getMessage().contains("FLOAT32"), f32.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(ShortBuffer.allocate(8), DType.FLOAT16, 8));
        ShortBuffer swapped = ByteBuffer.allocateDirect(16)
                .order(ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                .asShortBuffer();
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(swapped, DType.BFLOAT16, 8));
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(direct, DType.BFLOAT16, 9));
    }

    @Test
    void copyToConvertsBetweenAnyTwoTypes() {
        float[] values = {0.1f, -7.25f, 1e-5f, 3e4f};
        for (DType from : DType.values()) {
            for (DType to : DType.values()) {
                try (Tensor a = Tensor.of(from, values, 4); Tensor b = Tensor.allocate(to, 4)) {
                    a.copyTo(b);
                    float[] expected = new float[4];
                    for (int i = 0; i < 4; i++) expected[i] = to.roundTrip(from.roundTrip(values[i]));
                    assertArrayEquals(expected, b.toArray(), from + " -> " + to);
                }
            }
        }
    }

    /** The native conversions give Java's bits, widening every pattern and rounding 2^24 and more, on every kernel set. */
    @ParameterizedTest
    @MethodSource("nativeKernelSets")
    void nativeConversionsGiveJavasBits(BackendVariant kernels) {
        Runnable restore = kernels.activate();
        try {
            int[] patterns = DTypeTest.roundingPatterns();
            float[] values = new float[patterns.length];
            for (int i = 0; i < patterns.length; i++) values[i] = Float.intBitsToFloat(patterns[i]);
            for (DType type : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
                try (Tensor f = Tensor.allocate(values.length); Tensor h = Tensor.allocate(type, values.length);
                        Tensor all = Tensor.allocate(type, 65536); Tensor wide = Tensor.allocate(65536)) {
                    f.buffer().put(0, values);
                    f.copyTo(h);
                    ShortBuffer got = h.halfBuffer();
                    for (int i = 0; i < values.length; i++) {
                        if (got.get(i) != type.round(values[i])) {
                            throw new AssertionError(kernels.isa + " rounds " + Integer.toHexString(patterns[i]) + " to "
                                    + Integer.toHexString(got.get(i) & 0xffff) + " as " + type + ", Java to "
                                    + Integer.toHexString(type.round(values[i]) & 0xffff));
                        }
                    }
                    for (int b = 0; b < 65536; b++) all.halfBuffer().put(b, (short) b);
                    all.copyTo(wide);
                    for (int b = 0; b < 65536; b++) {
                        assertEquals(Float.floatToRawIntBits(type.widen((short) b)), Float.floatToRawIntBits(wide.buffer().get(b)),
                                kernels.isa + " widens " + type + " " + Integer.toHexString(b));
                    }
                }
            }
        } finally {
            restore.run();
        }
    }
}
