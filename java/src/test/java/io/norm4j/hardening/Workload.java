package io.norm4j.hardening;

import io.norm4j.Backend;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import io.norm4j.parity.InputDistribution;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A mix of small calls over every op, direction and backend, each a pure function of fixed
 * inputs: run twice, a call must give the same bits. Used by the soak and concurrency tests.
 */
final class Workload {
    private Workload() {}

    /** One call: makes its tensors, runs, returns every output concatenated. */
    record Call(String name, Function<Norms, float[]> body, Backend backend) {
        float[] run() {
            return body.apply(Norms.on(backend));
        }
    }

    static List<Call> calls() {
        List<Call> calls = new ArrayList<>();
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN, Backend.REFERENCE}) {
            calls.add(new Call("layer_norm training " + b, n -> {
                try (Tensor x = data(6, 33); Tensor y = Tensor.allocate(6, 33); Tensor m = Tensor.allocate(6);
                        Tensor r = Tensor.allocate(6); Tensor w = Tensor.allocate(33).fill(0.5f)) {
                    n.layerNormTraining(x, new long[] {33}, w, w, 1e-5, y, m, r);
                    return concat(y, m, r);
                }
            }, b));
            calls.add(new Call("layer_norm backward " + b, n -> {
                try (Tensor x = data(4, 17); Tensor dy = data(4, 17); Tensor y = Tensor.allocate(4, 17);
                        Tensor m = Tensor.allocate(4); Tensor r = Tensor.allocate(4); Tensor dx = Tensor.allocate(4, 17);
                        Tensor dw = Tensor.allocate(17); Tensor db = Tensor.allocate(17)) {
                    n.layerNormTraining(x, new long[] {17}, null, null, 1e-5, y, m, r);
                    n.layerNormBackward(x, dy, new long[] {17}, null, m, r, dx, dw, db);
                    return concat(dx, dw, db);
                }
            }, b));
            calls.add(new Call("batch_norm nhwc training " + b, n -> {
                try (Tensor x = data(4, 3, 3, 11); Tensor y = Tensor.allocate(4, 3, 3, 11); Tensor m = Tensor.allocate(11);
                        Tensor r = Tensor.allocate(11); Tensor rm = Tensor.allocate(11); Tensor rv = Tensor.allocate(11).fill(1f)) {
                    n.batchNormTraining(x, Layout.NHWC, rm, rv, null, null, 0.1, 1e-5, y, m, r);
                    return concat(y, m, r, rm, rv);
                }
            }, b));
            calls.add(new Call("batch_norm nchw backward " + b, n -> {
                try (Tensor x = data(3, 5, 7); Tensor dy = data(3, 5, 7); Tensor y = Tensor.allocate(3, 5, 7);
                        Tensor m = Tensor.allocate(5); Tensor r = Tensor.allocate(5); Tensor dx = Tensor.allocate(3, 5, 7);
                        Tensor dw = Tensor.allocate(5); Tensor db = Tensor.allocate(5)) {
                    n.batchNormTraining(x, Layout.NCHW, null, null, null, null, 0.1, 1e-5, y, m, r);
                    n.batchNormBackward(x, dy, Layout.NCHW, null, m, r, dx, dw, db);
                    return concat(y, dx, dw, db);
                }
            }, b));
            calls.add(new Call("group_norm nhwc " + b, n -> {
                try (Tensor x = data(2, 4, 4, 12); Tensor y = Tensor.allocate(2, 4, 4, 12); Tensor m = Tensor.allocate(2, 3);
                        Tensor r = Tensor.allocate(2, 3)) {
                    n.groupNormTraining(x, Layout.NHWC, 3, null, null, 1e-5, y, m, r);
                    return concat(y, m, r);
                }
            }, b));
            calls.add(new Call("instance_norm backward " + b, n -> {
                try (Tensor x = data(2, 6, 9); Tensor dy = data(2, 6, 9); Tensor y = Tensor.allocate(2, 6, 9);
                        Tensor m = Tensor.allocate(2, 6); Tensor r = Tensor.allocate(2, 6); Tensor dx = Tensor.allocate(2, 6, 9)) {
                    n.instanceNormTraining(x, Layout.NCHW, null, null, null, null, 0.1, 1e-5, y, m, r);
                    n.instanceNormBackward(x, dy, Layout.NCHW, null, m, r, dx, null, null);
                    return concat(y, dx);
                }
            }, b));
            calls.add(new Call("rms_norm " + b, n -> {
                try (Tensor x = data(5, 24); Tensor y = Tensor.allocate(5, 24); Tensor r = Tensor.allocate(5)) {
                    n.rmsNormTraining(x, new long[] {24}, null, 1e-6, y, r);
                    return concat(y, r);
                }
            }, b));
            if (b != Backend.ONEDNN) {
                calls.add(new Call("min_max " + b, n -> {
                    try (Tensor x = data(20, 9); Tensor mn = Tensor.allocate(9); Tensor mx = Tensor.allocate(9);
                            Tensor y = Tensor.allocate(20, 9)) {
                        n.minMaxFit(x, mn, mx);
                        n.minMaxTransform(x, mn, mx, -1, 1, y);
                        return concat(mn, mx, y);
                    }
                }, b));
            }
        }
        return calls;
    }

    /** N(0, 1) values fixed by the shape. */
    static Tensor data(long... shape) {
        int n = 1;
        for (long d : shape) n *= (int) d;
        return Tensor.of(InputDistribution.NORMAL.generate(1, n, 31L * n + shape.length), shape);
    }

    static float[] concat(Tensor... ts) {
        int n = 0;
        for (Tensor t : ts) n += (int) t.numel();
        float[] out = new float[n];
        int at = 0;
        for (Tensor t : ts) {
            float[] v = t.toArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }
}
