package io.norm4j;

import io.norm4j.nativeimpl.NativeAddresses;
import io.norm4j.nativeimpl.Norm4jLibrary;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.ShortPointer;

/**
 * A dense, contiguous, row-major tensor in off-heap memory, stored as f32 (the default), bf16 or f16
 * ({@link DType}). Its values read as floats whatever the storage (widened exactly) and are written
 * as floats (rounded once, to nearest even).
 *
 * <p>Three ways to get one:
 *
 * <ul>
 *   <li>{@link #allocate(long...)} and {@link #of(float[], long...)} own their memory (a direct
 *       buffer; {@code of} copies the array in), and {@link #allocate(DType, long...)} and {@link
 *       #of(DType, float[], long...)} the same in a half-precision type;
 *   <li>{@link #wrap(FloatBuffer, long...)} views a direct, native-order {@code FloatBuffer} from
 *       its position, without copying, and {@link #wrap(ShortBuffer, DType, long...)} a {@code
 *       ShortBuffer} of bf16 or f16 bit patterns;
 *   <li>{@link #wrap(FloatPointer, long...)} views a JavaCPP {@code FloatPointer} from its
 *       position to its limit, without copying, and {@link #wrap(ShortPointer, DType, long...)} a
 *       {@code ShortPointer} of bf16 or f16 bit patterns.
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
    private final DType dtype;
    /** Native-order view of exactly numel values, position 0: a FloatBuffer for FLOAT32, else a ShortBuffer. */
    private final Buffer data;
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

    private Tensor(long[] shape, long numel, DType dtype, Buffer data, BooleanSupplier released, String wrapped,
            boolean readOnly) {
        this.shape = shape;
        this.numel = numel;
        this.dtype = dtype;
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

    /** A new zero-filled f32 tensor of the given shape, its data starting on a 64-byte boundary. */
    public static Tensor allocate(long... shape) {
        return allocate(DType.FLOAT32, shape);
    }

    /** A new zero-filled tensor of the given storage type and shape, its data starting on a 64-byte boundary. */
    public static Tensor allocate(DType dtype, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        long[] dims = checkedShape(shape);
        long n = Shapes.numel("shape", dims);
        int count = fitsBuffer(n, dims);
        int bytes = Math.multiplyExact(count, dtype.bytes());
        // Room to start on a 64-byte boundary with the size rounded up to whole lines.
        int padded = Math.addExact((bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT, ALIGNMENT - 1);
        ByteBuffer bytesView = ByteBuffer.allocateDirect(padded)
                .alignedSlice(ALIGNMENT)
                .limit(bytes)
                .order(ByteOrder.nativeOrder());
        Buffer buf = dtype == DType.FLOAT32 ? bytesView.asFloatBuffer() : bytesView.asShortBuffer();
        return new Tensor(dims, n, dtype, buf, null, null, false);
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
        t.floats().put(0, values);
        return t;
    }

    /**
     * A new tensor of the given storage type holding {@code values}, each rounded to nearest even
     * (exactly where representable); its length must equal the shape's size.
     */
    public static Tensor of(DType dtype, float[] values, long... shape) {
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(values, "values");
        long[] dims = checkedShape(shape);
        long n = Shapes.numel("shape", dims);
        if (n != values.length) {
            throw new IllegalArgumentException("values has " + values.length + " elements but shape "
                    + Shapes.format(dims) + " needs " + n);
        }
        return allocate(dtype, dims).copyFrom(values);
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
        long n = checkBuffer(buffer, buffer.order(), dims, "floats", "Tensor.of(float[], shape)");
        FloatBuffer view = buffer.slice().limit((int) n);
        return new Tensor(dims, n, DType.FLOAT32, view, null, null, buffer.isReadOnly());
    }

    /**
     * A zero-copy view of a direct, native-order {@code ShortBuffer} of bf16 or f16 bit patterns,
     * starting at its position. A read-only buffer gives a read-only tensor, usable as an input only.
     *
     * @throws IllegalArgumentException if dtype is FLOAT32, or the buffer is not direct or not in
     *     native byte order
     * @throws IndexOutOfBoundsException if fewer than the shape's size remain in the buffer
     */
    public static Tensor wrap(ShortBuffer buffer, DType dtype, long... shape) {
        Objects.requireNonNull(buffer, "buffer");
        long[] dims = checkedShape(shape);
        checkHalf(dtype);
        long n = checkBuffer(buffer, buffer.order(), dims, "values", "Tensor.of(dtype, float[], shape)");
        ShortBuffer view = buffer.slice().limit((int) n);
        return new Tensor(dims, n, dtype, view, null, null, buffer.isReadOnly());
    }

    /**
     * A zero-copy view of a JavaCPP {@code ShortPointer} of bf16 or f16 bit patterns, from its
     * position to its limit (or its capacity when no limit is set). If the pointer is later
     * deallocated, using the tensor throws {@link IllegalStateException}.
     *
     * @throws IllegalArgumentException if dtype is FLOAT32
     * @throws IllegalStateException if the pointer is null or already deallocated
     * @throws IndexOutOfBoundsException if the pointer holds fewer values than the shape needs
     */
    public static Tensor wrap(ShortPointer pointer, DType dtype, long... shape) {
        Objects.requireNonNull(pointer, "pointer");
        long[] dims = checkedShape(shape);
        checkHalf(dtype);
        long n = checkPointer(pointer, dims, "values");
        int count = fitsBuffer(n, dims);
        ShortBuffer view = count == 0
                ? ShortBuffer.allocate(0)
                : new ShortPointer(pointer).capacity(pointer.position() + n).limit(pointer.position() + n)
                        .asBuffer();
        Tensor t = new Tensor(dims, n, dtype, view, pointer::isNull, "pointer", false);
        if (count > 0) t.address = pointer.address() + pointer.position() * 2L;
        return t;
    }

    /** A wrapped pointer's checks: live, enough from its position to its limit (or capacity); returns the shape's size. */
    private static long checkPointer(Pointer pointer, long[] dims, String unit) {
        if (pointer.isNull()) throw new IllegalStateException("pointer is null or deallocated");
        long n = Shapes.numel("shape", dims);
        long end = pointer.limit() > 0 ? pointer.limit() : pointer.capacity();
        long available = end - pointer.position();
        if (n > available) {
            throw new IndexOutOfBoundsException("pointer holds " + Math.max(available, 0) + " " + unit
                    + " from position " + pointer.position() + " but shape " + Shapes.format(dims) + " needs " + n
                    + " (set the pointer's limit or capacity)");
        }
        return n;
    }

    /** A wrapped buffer's checks: direct, native order, enough left for the shape; returns its size. */
    private static long checkBuffer(Buffer buffer, ByteOrder order, long[] dims, String unit, String copyInstead) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException(
                    "buffer must be direct to be shared with native code; use " + copyInstead + " to copy");
        }
        if (order != ByteOrder.nativeOrder()) {
            throw new IllegalArgumentException("buffer must be in native byte order (" + ByteOrder.nativeOrder()
                    + "), it is " + order);
        }
        long n = Shapes.numel("shape", dims);
        if (n > buffer.remaining()) {
            throw new IndexOutOfBoundsException("buffer has " + buffer.remaining() + " " + unit + " from position "
                    + buffer.position() + " but shape " + Shapes.format(dims) + " needs " + n);
        }
        return n;
    }

    private static void checkHalf(DType dtype) {
        Objects.requireNonNull(dtype, "dtype");
        if (dtype == DType.FLOAT32) {
            throw new IllegalArgumentException("dtype must be BFLOAT16 or FLOAT16 for 16-bit values, it is FLOAT32"
                    + " (wrap a FloatBuffer or FloatPointer for f32)");
        }
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
        long n = checkPointer(pointer, dims, "floats");
        int count = fitsBuffer(n, dims);
        FloatBuffer view = count == 0
                ? FloatBuffer.allocate(0)
                : new FloatPointer(pointer).capacity(pointer.position() + n).limit(pointer.position() + n)
                        .asBuffer();
        Tensor t = new Tensor(dims, n, DType.FLOAT32, view, pointer::isNull, "pointer", false);
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
        Tensor t = new Tensor(dims, n, DType.FLOAT32, view.slice(0, (int) n), released, wrapped, readOnly);
        if (n > 0) t.address = address;
        return t;
    }

    /** The dimensions (a copy). */
    public long[] shape() {
        return shape.clone();
    }

    /** How the values are stored. */
    public DType dtype() {
        return dtype;
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

    /** Element at a flat (row-major) index, widened exactly to float. */
    public float get(long index) {
        checkOpen("tensor");
        return read(Math.toIntExact(java.util.Objects.checkIndex(index, numel)));
    }

    /** Sets the element at a flat (row-major) index, rounded to the storage type (nearest, ties to even). */
    public void set(long index, float value) {
        checkWritable("tensor");
        write(Math.toIntExact(java.util.Objects.checkIndex(index, numel)), value);
    }

    /** Copies the elements out into a new array, widened exactly to float. */
    public float[] toArray() {
        checkOpen("tensor");
        float[] out = new float[Math.toIntExact(numel)];
        if (dtype == DType.FLOAT32) floats().get(0, out);
        else for (int i = 0; i < out.length; i++) out[i] = read(i);
        return out;
    }

    /**
     * Copies {@code values} in, each rounded to the storage type (nearest, ties to even); its length
     * must equal {@link #numel()}.
     */
    public Tensor copyFrom(float[] values) {
        Objects.requireNonNull(values, "values");
        checkWritable("tensor");
        if (values.length != numel) {
            throw new IllegalArgumentException("values has " + values.length + " elements, tensor has " + numel);
        }
        if (dtype == DType.FLOAT32) floats().put(0, values);
        else for (int i = 0; i < values.length; i++) write(i, values[i]);
        return this;
    }

    private float read(int i) {
        return dtype == DType.FLOAT32 ? floats().get(i) : dtype.widen(shorts().get(i));
    }

    private void write(int i, float value) {
        if (dtype == DType.FLOAT32) floats().put(i, value);
        else shorts().put(i, dtype.round(value));
    }

    /**
     * Copies all elements into {@code dst}, which must have the same number of elements, converting
     * to its storage type (exactly where it is wider, else rounded to nearest even). Uses the native
     * library when it is loaded (the benchmarks time an f32 copy as the bandwidth roof).
     */
    public void copyTo(Tensor dst) {
        Objects.requireNonNull(dst, "dst");
        checkOpen("source");
        dst.checkWritable("dst");
        if (dst.numel != numel) {
            throw new IllegalArgumentException("dst has " + dst.numel + " elements, source has " + numel);
        }
        if (numel == 0) return;
        boolean nativeCopy = NativeRuntime.loadFailure().isEmpty();
        if (nativeCopy && dtype == DType.FLOAT32 && dst.dtype == DType.FLOAT32) {
            NativeRuntime.check(Norm4jLibrary.norm4j_copy(address(), dst.address(), numel), "copy");
        } else if (nativeCopy && (dtype == dst.dtype || dtype == DType.FLOAT32 || dst.dtype == DType.FLOAT32)) {
            NativeRuntime.check(Norm4jLibrary.norm4j_convert(address(), dtype.code(), dst.address(), dst.dtype.code(), numel),
                    "convert");
        } else if (dtype == DType.FLOAT32 && dst.dtype == DType.FLOAT32) {
            dst.floats().put(0, floats(), 0, (int) numel);
        } else {
            for (int i = 0; i < numel; i++) dst.write(i, read(i));
        }
        java.lang.ref.Reference.reachabilityFence(this);
        java.lang.ref.Reference.reachabilityFence(dst);
    }

    /** Fills every element with {@code value}. */
    public Tensor fill(float value) {
        checkWritable("tensor");
        for (int i = 0; i < numel; i++) write(i, value);
        return this;
    }

    /** Marks the tensor closed. Closing twice is allowed. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "Tensor" + Shapes.format(shape) + (dtype == DType.FLOAT32 ? "" : " " + dtype.id())
                + (isClosed() ? " (closed)" : "");
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

    /** The f32 elements, position 0, for the pure-Java backend (which runs on f32 tensors only). */
    FloatBuffer buffer() {
        return floats();
    }

    private FloatBuffer floats() {
        if (dtype != DType.FLOAT32) throw new IllegalStateException("an f32 view of a " + dtype.id() + " tensor");
        return (FloatBuffer) data;
    }

    /** The 16-bit patterns of a bf16 or f16 tensor, position 0. */
    ShortBuffer halfBuffer() {
        if (dtype == DType.FLOAT32) throw new IllegalStateException("a 16-bit view of an f32 tensor");
        return (ShortBuffer) data;
    }

    private ShortBuffer shorts() {
        return (ShortBuffer) data;
    }

    /** Bytes of memory the values take. */
    long byteSize() {
        return numel * dtype.bytes();
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
        return prefix(new long[] {n});
    }

    /** A view of the first elements in the given shape (same memory, same address). */
    Tensor prefix(long[] dims) {
        long n = Shapes.numel("shape", dims);
        Tensor t = new Tensor(dims.clone(), n, dtype, data.slice(0, (int) n), released, wrapped, readOnly);
        t.address = address;
        return t;
    }

    /** A view of the elements from {@code offset} on, in the given shape (same memory). */
    Tensor view(long offset, long[] dims) {
        long n = Shapes.numel("shape", dims);
        java.util.Objects.checkFromIndexSize(offset, n, numel);
        return new Tensor(dims.clone(), n, dtype, data.slice((int) offset, (int) n), released, wrapped, readOnly);
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
