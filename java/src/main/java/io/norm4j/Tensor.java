package io.norm4j;

import io.norm4j.nativeimpl.NativeAddresses;
import io.norm4j.nativeimpl.Norm4jLibrary;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.bytedeco.javacpp.FloatPointer;

/**
 * A dense, contiguous, row-major f32 tensor in off-heap memory.
 *
 * <p>Three ways to get one:
 *
 * <ul>
 *   <li>{@link #allocate(long...)} and {@link #of(float[], long...)} own their memory (a direct
 *       buffer; {@code of} copies the array in);
 *   <li>{@link #wrap(FloatBuffer, long...)} views a direct, native-order {@code FloatBuffer} from
 *       its position, without copying;
 *   <li>{@link #wrap(FloatPointer, long...)} views a JavaCPP {@code FloatPointer} from its
 *       position to its limit, without copying.
 * </ul>
 *
 * <p>A closed tensor cannot be used: every operation on it throws {@link IllegalStateException}.
 * Closing a view does not free the memory it views; that stays with its owner. Memory of an owning
 * tensor is released once the tensor is closed and unreachable, so a call racing with {@code
 * close()} never reads freed memory.
 */
public final class Tensor implements AutoCloseable {
    private final long[] shape;
    private final long numel;
    /** Native-order view of exactly numel floats, position 0. */
    private final FloatBuffer data;
    /**
     * Whether the memory a view wraps has been released by its owner (a JavaCPP pointer
     * deallocated, a MemorySegment's arena closed); null for memory the tensor owns or a buffer.
     */
    private final BooleanSupplier released;
    /** What was released, for messages: "pointer", "memory segment". */
    private final String wrapped;
    private final boolean readOnly;
    private volatile boolean closed;
    /** Start address for native backends, computed on first use (needs JavaCPP's library). */
    private long address;

    private Tensor(long[] shape, long numel, FloatBuffer data, BooleanSupplier released, String wrapped,
            boolean readOnly) {
        this.shape = shape;
        this.numel = numel;
        this.data = data;
        this.released = released;
        this.wrapped = wrapped;
        this.readOnly = readOnly;
    }

    /**
     * Start of every tensor this class allocates, in bytes: a cache line and an AVX-512 vector.
     * The JDK's direct buffers start 16 bytes past one, so that every vector the kernels load or
     * store would straddle two lines: in JMH, batch norm [128, 1024] backward took 46 us on
     * NATIVE and 35 on ONEDNN, against 28 and 26 aligned.
     */
    static final int ALIGNMENT = 64;

    /** A new zero-filled tensor of the given shape, its data starting on a 64-byte boundary. */
    public static Tensor allocate(long... shape) {
        long[] dims = checkedShape(shape);
        long n = Shapes.numel("shape", dims);
        int count = fitsBuffer(n, dims);
        int bytes = Math.multiplyExact(count, Float.BYTES);
        // Room to start on a 64-byte boundary with the size rounded up to whole lines.
        int padded = Math.addExact((bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT, ALIGNMENT - 1);
        FloatBuffer buf = ByteBuffer.allocateDirect(padded)
                .alignedSlice(ALIGNMENT)
                .limit(bytes)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        return new Tensor(dims, n, buf, null, null, false);
    }

    /** A new tensor holding a copy of {@code values}, whose length must equal the shape's size. */
    public static Tensor of(float[] values, long... shape) {
        Objects.requireNonNull(values, "values");
        long[] dims = checkedShape(shape);
        long n = Shapes.numel("shape", dims);
        if (n != values.length) {
            throw new IllegalArgumentException("values has " + values.length + " elements but shape "
                    + Shapes.format(dims) + " needs " + n);
        }
        Tensor t = allocate(dims);
        t.data.put(0, values);
        return t;
    }

    /** A 1-d tensor holding a copy of {@code values}. */
    public static Tensor of(float... values) {
        Objects.requireNonNull(values, "values");
        return of(values, values.length);
    }

    /**
     * A zero-copy view of a direct, native-order {@code FloatBuffer}, starting at its position. A
     * read-only buffer gives a read-only tensor, usable as an input only.
     *
     * @throws IllegalArgumentException if the buffer is not direct or not in native byte order
     * @throws IndexOutOfBoundsException if fewer than the shape's size remain in the buffer
     */
    public static Tensor wrap(FloatBuffer buffer, long... shape) {
        Objects.requireNonNull(buffer, "buffer");
        long[] dims = checkedShape(shape);
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException(
                    "buffer must be direct to be shared with native code; use Tensor.of(float[], shape) to copy");
        }
        if (buffer.order() != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("buffer must be in native byte order (" + ByteOrder.nativeOrder()
                    + "), it is " + buffer.order());
        }
        long n = Shapes.numel("shape", dims);
        if (n > buffer.remaining()) {
            throw new IndexOutOfBoundsException("buffer has " + buffer.remaining() + " floats from position "
                    + buffer.position() + " but shape " + Shapes.format(dims) + " needs " + n);
        }
        FloatBuffer view = buffer.slice().limit((int) n);
        return new Tensor(dims, n, view, null, null, buffer.isReadOnly());
    }

    /**
     * A zero-copy view of a JavaCPP {@code FloatPointer}, from its position to its limit (or its
     * capacity when no limit is set). If the pointer is later deallocated, using the tensor throws
     * {@link IllegalStateException}.
     *
     * @throws IllegalStateException if the pointer is null or already deallocated
     * @throws IndexOutOfBoundsException if the pointer holds fewer floats than the shape needs
     */
    public static Tensor wrap(FloatPointer pointer, long... shape) {
        Objects.requireNonNull(pointer, "pointer");
        long[] dims = checkedShape(shape);
        if (pointer.isNull()) throw new IllegalStateException("pointer is null or deallocated");
        long n = Shapes.numel("shape", dims);
        long end = pointer.limit() > 0 ? pointer.limit() : pointer.capacity();
        long available = end - pointer.position();
        if (n > available) {
            throw new IndexOutOfBoundsException("pointer holds " + Math.max(available, 0) + " floats from position "
                    + pointer.position() + " but shape " + Shapes.format(dims) + " needs " + n
                    + " (set the pointer's limit or capacity)");
        }
        int count = fitsBuffer(n, dims);
        FloatBuffer view = count == 0
                ? FloatBuffer.allocate(0)
                : new FloatPointer(pointer).capacity(pointer.position() + n).limit(pointer.position() + n)
                        .asBuffer();
        Tensor t = new Tensor(dims, n, view, pointer::isNull, "pointer", false);
        if (count > 0) t.address = pointer.address() + pointer.position() * (long) Float.BYTES;
        return t;
    }

    /**
     * A zero-copy view of {@code count} floats at {@code address}, seen through {@code view}, whose
     * owner releases the memory when {@code released} turns true: the JDK 22+ MemorySegment wrap.
     */
    static Tensor view(FloatBuffer view, long address, long[] shape, BooleanSupplier released, String wrapped,
            boolean readOnly) {
        long[] dims = checkedShape(shape);
        long n = Shapes.numel("shape", dims);
        fitsBuffer(n, dims);
        Tensor t = new Tensor(dims, n, view.slice(0, (int) n), released, wrapped, readOnly);
        if (n > 0) t.address = address;
        return t;
    }

    /** The dimensions (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code dim}; negative values count from the end, as in PyTorch. */
    public long size(int dim) {
        int d = dim < 0 ? dim + shape.length : dim;
        if (d < 0 || d >= shape.length) {
            throw new IndexOutOfBoundsException("dim " + dim + " out of range for rank " + shape.length);
        }
        return shape[d];
    }

    /** Number of elements. */
    public long numel() {
        return numel;
    }

    public boolean isReadOnly() {
        return readOnly;
    }

    public boolean isClosed() {
        return closed || (released != null && released.getAsBoolean());
    }

    /** Element at a flat (row-major) index. */
    public float get(long index) {
        checkOpen("tensor");
        return data.get(Math.toIntExact(java.util.Objects.checkIndex(index, numel)));
    }

    /** Sets the element at a flat (row-major) index. */
    public void set(long index, float value) {
        checkWritable("tensor");
        data.put(Math.toIntExact(java.util.Objects.checkIndex(index, numel)), value);
    }

    /** Copies the elements out into a new array. */
    public float[] toArray() {
        checkOpen("tensor");
        float[] out = new float[Math.toIntExact(numel)];
        data.get(0, out);
        return out;
    }

    /** Copies {@code values} in; its length must equal {@link #numel()}. */
    public Tensor copyFrom(float[] values) {
        Objects.requireNonNull(values, "values");
        checkWritable("tensor");
        if (values.length != numel) {
            throw new IllegalArgumentException("values has " + values.length + " elements, tensor has " + numel);
        }
        data.put(0, values);
        return this;
    }

    /**
     * Copies all elements into {@code dst}, which must have the same number of elements. Uses the
     * native library's memcpy when it is loaded (the benchmarks time this as the bandwidth roof).
     */
    public void copyTo(Tensor dst) {
        Objects.requireNonNull(dst, "dst");
        checkOpen("source");
        dst.checkWritable("dst");
        if (dst.numel != numel) {
            throw new IllegalArgumentException("dst has " + dst.numel + " elements, source has " + numel);
        }
        if (numel == 0) return;
        if (NativeRuntime.loadFailure().isEmpty()) {
            NativeRuntime.check(Norm4jLibrary.norm4j_copy(address(), dst.address(), numel), "copy");
        } else {
            dst.data.put(0, data, 0, (int) numel);
        }
        java.lang.ref.Reference.reachabilityFence(this);
        java.lang.ref.Reference.reachabilityFence(dst);
    }

    /** Fills every element with {@code value}. */
    public Tensor fill(float value) {
        checkWritable("tensor");
        for (int i = 0; i < numel; i++) data.put(i, value);
        return this;
    }

    /** Marks the tensor closed. Closing twice is allowed. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.format(shape) + (isClosed() ? " (closed)" : "");
    }

    // ---- for the backends ------------------------------------------------------------------

    /** Throws if closed (or the memory it wraps was released); {@code name} is the argument's name. */
    void checkOpen(String name) {
        if (closed) throw new IllegalStateException(name + " is closed");
        if (released != null && released.getAsBoolean()) {
            throw new IllegalStateException(name + "'s " + wrapped + " was released by its owner");
        }
    }

    void checkWritable(String name) {
        checkOpen(name);
        if (readOnly) throw new IllegalArgumentException(name + " is read-only and cannot receive output");
    }

    /** The elements, position 0, for the pure-Java backend. */
    FloatBuffer buffer() {
        return data;
    }

    /** Start address for native code; only called when a native backend is loaded. */
    long address() {
        long a = address;
        if (a == 0 && numel > 0) {
            a = NativeAddresses.of(data);
            address = a;
        }
        return a;
    }

    /** A 1-d view of the first n elements (same memory, same address). */
    Tensor prefix(long n) {
        Tensor t = new Tensor(new long[] {n}, n, data.slice(0, (int) n), released, wrapped, readOnly);
        t.address = address;
        return t;
    }

    long[] dims() {
        return shape;
    }

    private static long[] checkedShape(long[] shape) {
        Objects.requireNonNull(shape, "shape");
        return shape.clone();
    }

    private static int fitsBuffer(long n, long[] dims) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("shape " + Shapes.format(dims) + " has " + n
                    + " elements; a tensor holds at most " + (Integer.MAX_VALUE - 8));
        }
        return (int) n;
    }
}
