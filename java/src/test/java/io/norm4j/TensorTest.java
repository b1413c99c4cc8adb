package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

class TensorTest {
    @Test
    void ofCopiesAndToArrayReadsBack() {
        float[] v = {1, 2, 3, 4, 5, 6};
        try (Tensor t = Tensor.of(v, 2, 3)) {
            v[0] = 99; // a copy: later changes to the array do not reach the tensor
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, t.toArray());
            assertArrayEquals(new long[] {2, 3}, t.shape());
            assertEquals(6, t.numel());
            assertEquals(3, t.size(-1));
        }
    }

    @Test
    void allocatedTensorsStartOnA64ByteBoundaryAndHoldExactlyTheirElements() {
        for (long n : new long[] {1, 3, 16, 17, 1000, 4097, 100_000}) {
            try (Tensor t = Tensor.allocate(n); Tensor c = Tensor.of(new float[(int) n], n)) {
                assertEquals(0, t.address() % Tensor.ALIGNMENT, "allocate(" + n + ")");
                assertEquals(0, c.address() % Tensor.ALIGNMENT, "of(float[" + n + "])");
                assertEquals(n, t.toArray().length);
                t.set(n - 1, 5f); // the last element is inside the aligned slice
                assertEquals(5f, t.get(n - 1));
            }
        }
    }

    @Test
    void wrapOfDirectBufferSharesMemoryFromItsPosition() {
        FloatBuffer buf = ByteBuffer.allocateDirect(10 * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        buf.position(2);
        try (Tensor t = Tensor.wrap(buf, 2, 2)) {
            t.set(0, 7f);
            assertEquals(7f, buf.get(2));
            buf.put(5, 9f);
            assertEquals(9f, t.get(3));
        }
    }

    @Test
    void wrapOfFloatPointerSharesMemoryFromItsPosition() {
        try (FloatPointer p = new FloatPointer(8)) {
            p.position(4);
            try (Tensor t = Tensor.wrap(p, 4)) {
                t.copyFrom(new float[] {1, 2, 3, 4});
                assertEquals(3f, p.get(2)); // get is relative to the position
            }
        }
    }

    @Test
    void wrapRejectsWhatNativeCodeCannotShare() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(FloatBuffer.allocate(4), 4));
        FloatBuffer bigEndian = ByteBuffer.allocateDirect(16)
                .order(ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN)
                .asFloatBuffer();
        assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(bigEndian, 4));
        FloatBuffer small = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer();
        assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(small, 5));
        try (FloatPointer p = new FloatPointer(3)) {
            assertThrows(IndexOutOfBoundsException.class, () -> Tensor.wrap(p, 2, 2));
        }
    }

    @Test
    void shapesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(2, -1));
        assertThrows(IllegalArgumentException.class, () -> Tensor.allocate(Long.MAX_VALUE, 4));
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[3], 2, 2));
        assertThrows(NullPointerException.class, () -> Tensor.of((float[]) null, 1));
    }

    @Test
    void closedTensorsAndFreedPointersThrowInsteadOfCrashing() {
        Tensor t = Tensor.allocate(4);
        t.close();
        assertTrue(t.isClosed());
        assertThrows(IllegalStateException.class, t::toArray);
        FloatPointer p = new FloatPointer(4);
        Tensor view = Tensor.wrap(p, 4);
        p.close();
        assertTrue(view.isClosed());
        assertThrows(IllegalStateException.class, () -> view.get(0));
    }

    @Test
    void readOnlyBuffersGiveReadOnlyTensors() {
        FloatBuffer ro = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder()).asFloatBuffer().asReadOnlyBuffer();
        try (Tensor t = Tensor.wrap(ro, 4)) {
            assertTrue(t.isReadOnly());
            assertThrows(IllegalArgumentException.class, () -> t.set(0, 1f));
        }
    }

    @Test
    void copyToCopiesEveryElement() {
        try (Tensor a = Tensor.of(new float[] {1, 2, 3}, 3); Tensor b = Tensor.allocate(3)) {
            a.copyTo(b);
            assertArrayEquals(a.toArray(), b.toArray());
        }
    }

    @Test
    void aWrappedPointersOwnDeallocationIsSeenButAnotherPointerOverTheSameMemoryIsNot() {
        FloatPointer base = new FloatPointer(8);
        FloatPointer view = new FloatPointer(base).position(2);
        view.limit(8);
        Tensor whole = Tensor.wrap(base, 8), part = Tensor.wrap(view, 6);
        base.deallocate();
        assertTrue(whole.isClosed());
        try (Tensor y = Tensor.allocate(8)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Norms.on(Backend.REFERENCE).layerNorm(whole, new long[] {8}, null, null, 1e-5, y));
            assertTrue(e.getMessage().equals("x's pointer was released by its owner"), e.getMessage());
        }
        // The README's limit: a second Pointer object over the memory does not learn of the first's
        // deallocation, so the view still looks open; keeping the memory alive is the caller's part.
        assertTrue(!part.isClosed());
    }
}
