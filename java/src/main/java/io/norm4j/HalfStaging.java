package io.norm4j;

import java.util.ArrayList;
import java.util.List;

/**
 * How a backend that computes on f32 tensors runs a call whose data are stored in bf16 or f16: f32
 * stand-ins for those tensors, the inputs widened into theirs first (exactly), the outputs rounded
 * from theirs after (once, to nearest even). The result is the f32 call's on the widened inputs,
 * each output rounded to its type.
 *
 * <p>The stand-ins view memory each thread keeps for them ({@link ThreadScratch#standIn}): a
 * training loop asks for the same sizes every step, and allocating direct buffers of that size per
 * call would cost more than the call.
 */
final class HalfStaging implements AutoCloseable {
    private final CheckedBackend backend;
    private final List<Tensor[]> outputs = new ArrayList<>();
    private int used;

    HalfStaging(CheckedBackend backend) {
        this.backend = backend;
    }

    /** Whether any of the tensors is stored in a half-precision type. */
    static boolean anyHalf(Tensor a, Tensor b, Tensor c) {
        return isHalf(a) || isHalf(b) || isHalf(c);
    }

    private static boolean isHalf(Tensor t) {
        return t != null && t.dtype() != DType.FLOAT32;
    }

    /** The f32 tensor to read in place of t: t itself, or its values widened. */
    Tensor input(Tensor t) {
        if (!isHalf(t)) return t;
        Tensor f = standIn(t);
        backend.convert(t, f);
        return f;
    }

    /** The f32 tensor to write in place of t: t itself, or a stand-in rounded into t by {@link #commit()}. */
    Tensor output(Tensor t) {
        if (!isHalf(t)) return t;
        Tensor f = standIn(t);
        outputs.add(new Tensor[] {f, t});
        return f;
    }

    /** Rounds every output's stand-in into the output. */
    void commit() {
        for (Tensor[] pair : outputs) backend.convert(pair[0], pair[1]);
    }

    private Tensor standIn(Tensor t) {
        return ThreadScratch.standIn(used++, t.dims());
    }

    /** Gives the slots back for the thread's next call (their memory stays). */
    @Override
    public void close() {
        used = 0;
    }
}
