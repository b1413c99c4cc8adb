package io.norm4j;

/**
 * The residual add as its own pass, in Java: {@code out[i] = a[i] + b[i]}, the widened values added
 * in f32 and the sum rounded once to out's storage type. out may be a or b. What the fused native
 * kernels compute, and what REFERENCE composes its fused ops of.
 */
final class ResidualAdd {
    private ResidualAdd() {}

    static void add(Tensor a, Tensor b, Tensor out) {
        if (a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32 && out.dtype() == DType.FLOAT32) {
            java.nio.FloatBuffer fa = a.buffer(), fb = b.buffer(), fo = out.buffer();
            for (int i = 0; i < out.numel(); i++) fo.put(i, fa.get(i) + fb.get(i));
            return;
        }
        for (long i = 0; i < out.numel(); i++) out.set(i, a.get(i) + b.get(i));
    }
}
