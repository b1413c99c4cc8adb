package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one call on one backend with fresh tensors made from arrays, and reads named outputs back:
 * the same inputs reach REFERENCE and the backend under test, each through its own tensors. The
 * data (x, dy; y, dx) of a backend under test are stored as {@code storage}; REFERENCE gets them
 * as f32 holding the same values (rounded to the storage type, then widened exactly) and writes
 * f32 outputs, which is what a half-precision output is compared against.
 */
final class BackendRun implements AutoCloseable {
    final Norms norms;
    private final DType storage;
    private final boolean widened;
    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, Tensor> outputs = new LinkedHashMap<>();

    BackendRun(Backend backend) {
        this(backend, DType.FLOAT32);
    }

    BackendRun(Backend backend, DType storage) {
        this.norms = Norms.on(backend);
        this.storage = storage;
        this.widened = backend == Backend.REFERENCE;
    }

    /** A data input (x, dy): stored as the run's storage type, or for REFERENCE its values widened. */
    Tensor data(float[] values, long... shape) {
        if (storage == DType.FLOAT32) return in(values, shape);
        Tensor t;
        if (widened) {
            t = Tensor.of(GroupedData.stored(values, storage), shape);
        } else {
            t = Tensor.of(storage, values, shape);
        }
        tensors.add(t);
        return t;
    }

    /** A named data output (y, dx), zero-filled: stored as the run's storage type, f32 for REFERENCE. */
    Tensor dataOut(String name, long... shape) {
        Tensor t = widened ? Tensor.allocate(shape) : Tensor.allocate(storage, shape);
        tensors.add(t);
        outputs.put(name, t);
        return t;
    }

    /** An input tensor holding a copy of values (null values: no tensor). */
    Tensor in(float[] values, long... shape) {
        if (values == null) return null;
        Tensor t = Tensor.of(values, shape);
        tensors.add(t);
        return t;
    }

    /** A named output, zero-filled, read back by {@link #read()}. */
    Tensor out(String name, long... shape) {
        Tensor t = Tensor.allocate(shape);
        tensors.add(t);
        outputs.put(name, t);
        return t;
    }

    /** A named output that starts from values (running statistics updated in place). */
    Tensor inOut(String name, float[] values, long... shape) {
        Tensor t = in(values, shape);
        outputs.put(name, t);
        return t;
    }

    Map<String, float[]> read() {
        Map<String, float[]> m = new LinkedHashMap<>();
        outputs.forEach((k, v) -> m.put(k, v.toArray()));
        return m;
    }

    @Override
    public void close() {
        tensors.forEach(Tensor::close);
    }
}
