package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** JDK 22+: a MemorySegment wrapped as a tensor is normalized in place of its own memory, on every backend. */
class TensorsTest {
    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void aSegmentIsAZeroCopyViewOnEveryBackend(Backend backend) {
        float[] values = {1, 2, 3, 4, -1, 0, 1, 8};
        try (Arena arena = Arena.ofShared(); Tensor copy = Tensor.of(values, 2, 4); Tensor expected = Tensor.allocate(2, 4)) {
            MemorySegment x = arena.allocate(values.length * 4L, 64);
            MemorySegment y = arena.allocate(values.length * 4L, 64);
            MemorySegment.copy(values, 0, x, ValueLayout.JAVA_FLOAT, 0, values.length);
            Tensor tx = Tensors.wrap(x, 2, 4), ty = Tensors.wrap(y, 2, 4);
            Norms.on(backend).layerNorm(tx, new long[] {4}, null, null, 1e-5, ty);
            Norms.on(Backend.REFERENCE).layerNorm(copy, new long[] {4}, null, null, 1e-5, expected);
            float[] out = y.toArray(ValueLayout.JAVA_FLOAT);
            assertArrayEquals(expected.toArray(), out, 4e-7f, "written into the segment itself");
            assertEquals(out[0], ty.get(0));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE"})
    void aClosedArenasTensorIsRefusedAndBadSegmentsAreNamed(Backend backend) {
        Tensor t;
        try (Arena arena = Arena.ofConfined()) {
            t = Tensors.wrap(arena.allocate(16, 4), 4);
        }
        try (Tensor y = Tensor.allocate(4)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Norms.on(backend).layerNorm(t, new long[] {4}, null, null, 1e-5, y));
            assertTrue(e.getMessage().contains("memory segment was released"), e.getMessage());
        }
        assertTrue(t.isClosed());
        assertThrows(IllegalArgumentException.class, () -> Tensors.wrap(MemorySegment.ofArray(new float[4]), 4));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = arena.allocate(16, 4);
            IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> Tensors.wrap(s, 5));
            assertTrue(e.getMessage().contains("holds 4 floats"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Tensors.wrap(s.asSlice(1), 2));
            assertTrue(Tensors.wrap(s.asReadOnly(), 4).isReadOnly());
        }
    }
}
