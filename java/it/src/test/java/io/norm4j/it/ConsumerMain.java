package io.norm4j.it;

import io.norm4j.Backend;
import io.norm4j.Norms;
import io.norm4j.Tensor;

/** What a user's program does: a layer norm on NATIVE and on ONEDNN, checked against REFERENCE. */
public final class ConsumerMain {
    public static void main(String[] args) {
        float[] data = new float[8 * 64];
        for (int i = 0; i < data.length; i++) data[i] = (float) Math.sin(0.7 * i) * 3 + 1;
        float[] expected = run(Backend.REFERENCE, data);
        for (Backend b : new Backend[] {Backend.NATIVE, Backend.ONEDNN}) {
            float[] got = run(b, data);
            for (int i = 0; i < got.length; i++) {
                if (Math.abs(got[i] - expected[i]) > 1e-5f) {
                    throw new AssertionError(b + " differs from REFERENCE at " + i + ": " + got[i] + " vs " + expected[i]);
                }
            }
        }
        System.out.println("OK " + Norms.on(Backend.NATIVE).resolvedBackend(io.norm4j.Op.LAYER_NORM) + ", "
                + Norms.on(Backend.ONEDNN).resolvedBackend(io.norm4j.Op.LAYER_NORM));
    }

    static float[] run(Backend backend, float[] data) {
        try (Tensor x = Tensor.of(data, 8, 64); Tensor y = Tensor.allocate(8, 64)) {
            Norms.on(backend).layerNorm(x, new long[] {64}, null, null, 1e-5, y);
            return y.toArray();
        }
    }
}
