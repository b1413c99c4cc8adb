package io.norm4j;

import java.lang.ref.Reference;
import java.util.Arrays;
import java.util.Objects;

/**
 * Every backend's public entry points: all argument checks happen here, once, before a backend
 * kernel runs, so every backend rejects bad input identically and with nothing written. The
 * subclasses implement only the protected kernels, which may assume valid arguments.
 */
abstract class CheckedBackend {
    private final Backend kind;

    CheckedBackend(Backend kind) {
        this.kind = kind;
    }

    Backend kind() {
        return kind;
    }

    /** Short description for logs and reports, e.g. "NATIVE (avx2)". */
    String describe() {
        return kind.name();
    }

    /** Layer norm forward; {@code mean} and {@code rstd} both null (inference) or both given (training). */
    final void layerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps, Tensor y,
            Tensor mean, Tensor rstd) {
        LayerNormCall call = checkLayerNorm(x, normalizedShape, weight, bias, eps, y, mean, rstd);
        if (call.rows() == 0 || call.cols() == 0) return; // empty: nothing to compute
        try {
            layerNormForward(call);
        } finally {
            // Keep the tensors (and so their memory) reachable until the kernel has returned.
            Reference.reachabilityFence(call);
        }
    }

    protected abstract void layerNormForward(LayerNormCall call);

    // ---- checks ------------------------------------------------------------------------------

    static LayerNormCall checkLayerNorm(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps,
            Tensor y, Tensor mean, Tensor rstd) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(normalizedShape, "normalizedShape");
        Objects.requireNonNull(y, "y");
        x.checkOpen("x");
        y.checkWritable("y");
        if (weight != null) weight.checkOpen("weight");
        if (bias != null) bias.checkOpen("bias");
        if ((mean == null) != (rstd == null)) {
            throw new IllegalArgumentException("mean and rstd must both be given (training) or both be null (inference)");
        }
        if (mean != null) {
            mean.checkWritable("mean");
            rstd.checkWritable("rstd");
        }
        float epsF = checkEps(eps);

        long[] xs = x.dims();
        int k = normalizedShape.length;
        if (k == 0) throw new IllegalArgumentException("normalizedShape must have at least one dimension");
        if (k > xs.length) {
            throw new IllegalArgumentException("normalizedShape " + Shapes.format(normalizedShape) + " has rank " + k
                    + " but x " + Shapes.format(xs) + " has rank " + xs.length);
        }
        long[] trailing = Arrays.copyOfRange(xs, xs.length - k, xs.length);
        if (!Arrays.equals(trailing, normalizedShape)) {
            throw new IllegalArgumentException("normalizedShape " + Shapes.format(normalizedShape)
                    + " does not match the trailing dimensions of x " + Shapes.format(xs));
        }
        checkSameShape("y", y, "x", x);
        long rows = Shapes.product(xs, 0, xs.length - k);
        long cols = Shapes.product(xs, xs.length - k, xs.length);
        if (weight != null) checkShape("weight", weight, normalizedShape);
        if (bias != null) checkShape("bias", bias, normalizedShape);
        if (mean != null) {
            checkNumel("mean", mean, rows, "one per normalized row of x");
            checkNumel("rstd", rstd, rows, "one per normalized row of x");
        }
        return new LayerNormCall(x, y, rows, cols, weight, bias, epsF, mean, rstd);
    }

    /** eps must be finite and >= 0; kernels use it as an f32, like PyTorch and oneDNN. */
    static float checkEps(double eps) {
        if (!Double.isFinite(eps) || eps < 0) {
            throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        }
        return (float) eps;
    }

    private static void checkSameShape(String name, Tensor t, String otherName, Tensor other) {
        if (!Arrays.equals(t.dims(), other.dims())) {
            throw new IllegalArgumentException(name + " has shape " + Shapes.format(t.dims()) + " but " + otherName
                    + " has shape " + Shapes.format(other.dims()));
        }
    }

    private static void checkShape(String name, Tensor t, long[] expected) {
        if (!Arrays.equals(t.dims(), expected)) {
            throw new IllegalArgumentException(name + " has shape " + Shapes.format(t.dims()) + ", expected "
                    + Shapes.format(expected));
        }
    }

    private static void checkNumel(String name, Tensor t, long expected, String why) {
        if (t.numel() != expected) {
            throw new IllegalArgumentException(name + " has " + t.numel() + " elements, expected " + expected + " ("
                    + why + ")");
        }
    }
}
