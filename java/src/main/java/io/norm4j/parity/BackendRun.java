package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one call on one backend with fresh tensors made from arrays, and reads named outputs back:
 * the same inputs reach REFERENCE and the backend under test, each through its own tensors.
 */
final class BackendRun implements AutoCloseable {
    final Norms norms;
    private final List<Tensor> tensors = new ArrayList<>();
    private final Map<String, Tensor> outputs = new LinkedHashMap<>();

    BackendRun(Backend backend) {
        this.norms = Norms.on(backend);
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
