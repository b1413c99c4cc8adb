package io.norm4j;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * Tensors over {@link MemorySegment}s (JDK 22 and later; the jar is multi-release, and on JDK 17
 * to 21 this class is absent): engines that keep their activations in segments pass them to
 * norm4j without a copy.
 */
public final class Tensors {
    private Tensors() {}

    /**
     * A zero-copy view of a native segment's first floats, from its start, in native byte order. A
     * read-only segment gives a read-only tensor, usable as an input only. Once the segment's arena
     * is closed, using the tensor throws {@link IllegalStateException}; closing the arena while a
     * call runs on the tensor is the caller's bug, as with any memory the caller owns.
     *
     * @throws IllegalArgumentException if the segment is on the heap (it has no address to share:
     *     use {@link Tensor#of(float[], long...)} to copy) or does not start on a 4-byte boundary
     * @throws IllegalStateException if the segment's arena is already closed
     * @throws IndexOutOfBoundsException if the segment holds fewer floats than the shape needs
     */
    public static Tensor wrap(MemorySegment segment, long... shape) {
        Objects.requireNonNull(segment, "segment");
        Objects.requireNonNull(shape, "shape");
        if (!segment.isNative()) {
            throw new IllegalArgumentException("segment must be native (off-heap) to be shared with native code; "
                    + "use Tensor.of(float[], shape) to copy a heap segment's values");
        }
        if (!segment.scope().isAlive()) throw new IllegalStateException("segment's arena is closed");
        if (segment.address() % Float.BYTES != 0) {
            throw new IllegalArgumentException("segment must start on a 4-byte boundary, it starts at address "
                    + segment.address());
        }
        long n = Shapes.numel("shape", shape);
        if (n > segment.byteSize() / Float.BYTES) {
            throw new IndexOutOfBoundsException("segment holds " + segment.byteSize() / Float.BYTES
                    + " floats but shape " + Shapes.format(shape) + " needs " + n);
        }
        MemorySegment slice = segment.asSlice(0, n * Float.BYTES);
        FloatBuffer view = slice.asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
        return Tensor.view(view, slice.address(), shape, () -> !slice.scope().isAlive(), "memory segment",
                slice.isReadOnly());
    }
}
