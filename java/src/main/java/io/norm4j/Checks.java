package io.norm4j;

import java.util.Arrays;
import java.util.Objects;

/** Argument checks shared by every op; each names the argument it rejects. */
final class Checks {
    private Checks() {}

    static void input(String name, Tensor t) {
        Objects.requireNonNull(t, name);
        t.checkOpen(name);
        storage(name, t);
    }

    static void output(String name, Tensor t) {
        Objects.requireNonNull(t, name);
        t.checkWritable(name);
        storage(name, t);
    }

    /** An optional input: null is allowed. */
    static void optionalInput(String name, Tensor t) {
        if (t != null) {
            t.checkOpen(name);
            storage(name, t);
        }
    }

    /**
     * The data arguments (x, y, dy, dx, and a fused residual add's residual, h and dh) may be stored
     * in any {@link DType}; every other tensor
     * (weights, biases, saved and running statistics, parameter gradients, min-max ranges) is f32,
     * as in oneDNN's and PyTorch's mixed precision.
     */
    private static void storage(String name, Tensor t) {
        if (t.dtype() == DType.FLOAT32) return;
        boolean data = switch (name) {
            case "x", "y", "dy", "dx", "residual", "h", "dh" -> true;
            default -> false;
        };
        if (!data) {
            throw new IllegalArgumentException(name + " must be FLOAT32 (weights, biases, statistics and parameter"
                    + " gradients are f32 whatever the data's storage), it is " + t.dtype());
        }
    }

    /**
     * eps must be finite and >= 0 as the f32 every backend uses (like PyTorch and oneDNN): 1e39 is
     * a finite double but an infinite float, and is refused here, before any backend runs.
     */
    static float eps(double eps) {
        float f = (float) eps;
        if (!Double.isFinite(eps) || eps < 0) {
            throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
        }
        if (Float.isInfinite(f)) {
            throw new IllegalArgumentException("eps must be finite and >= 0 as the f32 the kernels use, got " + eps
                    + " (" + f + " as f32; at most " + Float.MAX_VALUE + ")");
        }
        return f;
    }

    /**
     * A min-max feature range: finite, with rangeMin < rangeMax as the f32 values the kernels use
     * (1e-46 is 0 as a float, so [0, 1e-46] is an empty range).
     */
    static void featureRange(double rangeMin, double rangeMax) {
        float a = (float) rangeMin, b = (float) rangeMax;
        if (!Float.isFinite(a) || !Float.isFinite(b) || !(a < b)) {
            String asFloats = Double.isNaN(rangeMin) || Double.isNaN(rangeMax) || (a == rangeMin && b == rangeMax)
                    ? "" : " ([" + a + ", " + b + "] as f32)";
            throw new IllegalArgumentException("feature range must be finite f32 values with rangeMin < rangeMax, got ["
                    + rangeMin + ", " + rangeMax + "]" + asFloats);
        }
    }

    /** Momentum of a running average: finite, in [0, 1]. */
    static double momentum(double momentum) {
        if (!Double.isFinite(momentum) || momentum < 0 || momentum > 1) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        return momentum;
    }

    static void sameShape(String name, Tensor t, String otherName, Tensor other) {
        if (!Arrays.equals(t.dims(), other.dims())) {
            throw new IllegalArgumentException(name + " has shape " + Shapes.format(t.dims()) + " but " + otherName
                    + " has shape " + Shapes.format(other.dims()));
        }
    }

    /** t's dims, which must be those of a [samples, features] matrix. */
    static long[] matrix(String name, Tensor t) {
        long[] d = t.dims();
        if (d.length != 2) {
            throw new IllegalArgumentException(name + " must be a [samples, features] matrix, it has shape "
                    + Shapes.format(d));
        }
        return d;
    }

    /** A per-feature array of double statistics: present, one value per feature. */
    static void perFeature(String name, double[] values, long features) {
        java.util.Objects.requireNonNull(values, name);
        if (values.length != features) {
            throw new IllegalArgumentException(name + " has " + values.length + " values, expected one per feature ("
                    + features + ")");
        }
    }

    /**
     * Standard scaling's divisors: positive and finite, or NaN (a feature that has seen no value,
     * whose outputs are then NaN).
     */
    static void scales(String name, double[] values) {
        for (int j = 0; j < values.length; j++) {
            if (values[j] <= 0 || Double.isInfinite(values[j])) {
                throw new IllegalArgumentException(name + "[" + j + "] must be positive and finite (or NaN), got "
                        + values[j]);
            }
        }
    }

    static void shape(String name, Tensor t, long[] expected) {
        if (t != null && !Arrays.equals(t.dims(), expected)) {
            throw new IllegalArgumentException(name + " has shape " + Shapes.format(t.dims()) + ", expected "
                    + Shapes.format(expected));
        }
    }

    static void numel(String name, Tensor t, long expected, String why) {
        if (t != null && t.numel() != expected) {
            throw new IllegalArgumentException(name + " has " + t.numel() + " elements, expected " + expected + " ("
                    + why + ")");
        }
    }

    /**
     * The arguments every normalization shares: x readable, y writable, optional weight and bias
     * readable, and the saved statistics (training) both given and writable, or both null.
     */
    static void normArguments(Tensor x, Tensor y, Tensor weight, Tensor bias, Tensor mean, Tensor rstd) {
        input("x", x);
        output("y", y);
        optionalInput("weight", weight);
        optionalInput("bias", bias);
        pair("mean", mean, "rstd", rstd, "training saves both");
        if (mean != null) {
            output("mean", mean);
            output("rstd", rstd);
        }
    }

    /** RMS norm's arguments: x readable, y writable, optional weight readable, rstd (training) writable. */
    static void rmsArguments(Tensor x, Tensor y, Tensor weight, Tensor rstd) {
        input("x", x);
        output("y", y);
        optionalInput("weight", weight);
        if (rstd != null) output("rstd", rstd);
    }

    /** A module's normalizedShape: at least one dimension, none negative; returns a copy. */
    static long[] normalizedShape(long[] normalizedShape) {
        Objects.requireNonNull(normalizedShape, "normalizedShape");
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("normalizedShape must have at least one dimension");
        }
        Shapes.numel("normalizedShape", normalizedShape);
        return normalizedShape.clone();
    }

    /**
     * Saved rstd values are 1 / sqrt(var + eps): positive, infinite, or NaN (a group with NaN), never
     * negative. A negative one cannot come from a forward call, and the backends could not agree on
     * it (oneDNN takes the variance, which loses the sign), so it is refused.
     */
    static void savedRstd(Tensor rstd) {
        java.nio.FloatBuffer b = rstd.buffer();
        for (int i = 0; i < rstd.numel(); i++) {
            if (b.get(i) < 0) {
                throw new IllegalArgumentException("rstd[" + i + "] = " + b.get(i)
                        + " is negative; backward needs the rstd saved by the forward training call");
            }
        }
    }

    /** Both null, or both given. */
    static void pair(String a, Tensor ta, String b, Tensor tb, String what) {
        if ((ta == null) != (tb == null)) {
            throw new IllegalArgumentException(a + " and " + b + " must both be given or both be null (" + what + ")");
        }
    }

    /** The trailing dimensions of x must equal normalizedShape; returns {rows, cols}. */
    static long[] trailing(Tensor x, long[] normalizedShape) {
        Objects.requireNonNull(normalizedShape, "normalizedShape");
        long[] xs = x.dims();
        int k = normalizedShape.length;
        if (k == 0) throw new IllegalArgumentException("normalizedShape must have at least one dimension");
        if (k > xs.length) {
            throw new IllegalArgumentException("normalizedShape " + Shapes.format(normalizedShape) + " has rank " + k
                    + " but x " + Shapes.format(xs) + " has rank " + xs.length);
        }
        if (!Arrays.equals(xs, xs.length - k, xs.length, normalizedShape, 0, k)) {
            throw new IllegalArgumentException("normalizedShape " + Shapes.format(normalizedShape)
                    + " does not match the trailing dimensions of x " + Shapes.format(xs));
        }
        return new long[] {Shapes.product("x", xs, 0, xs.length - k),
            Shapes.product("normalizedShape", xs, xs.length - k, xs.length)};
    }
}
