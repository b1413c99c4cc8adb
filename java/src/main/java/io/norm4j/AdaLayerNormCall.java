package io.norm4j;

/**
 * A validated adaptive layer norm call: x [N, T, D] normalized over D, each sample n scaled by
 * {@code 1 + scale[n]} and shifted by {@code shift[n]} (scale, shift [N, D]). Forward: y, and mean
 * and rstd [N, T] where saved. Backward: dy, the saved statistics, dx and the conditioning
 * gradients dscale and dshift [N, D] (each may be null).
 */
record AdaLayerNormCall(long n, long t, long d) {

    static AdaLayerNormCall checkForward(Tensor x, Tensor scale, Tensor shift, double eps, Tensor y, Tensor mean,
            Tensor rstd) {
        Checks.normArguments(x, y, null, null, mean, rstd);
        AdaLayerNormCall c = shapes(x, scale, shift);
        Checks.eps(eps);
        Checks.sameShape("y", y, "x", x);
        Checks.shape("mean", mean, new long[] {c.n, c.t});
        Checks.shape("rstd", rstd, new long[] {c.n, c.t});
        Aliasing.check().out("y", y).out("mean", mean).out("rstd", rstd).in("x", x).in("scale", scale)
                .in("shift", shift).inPlace("y", "x").verify();
        return c;
    }

    static AdaLayerNormCall checkBackward(Tensor x, Tensor dy, Tensor scale, Tensor mean, Tensor rstd, Tensor dx,
            Tensor dscale, Tensor dshift) {
        AdaLayerNormCall c = shapes(x, scale, null);
        Checks.input("dy", dy);
        Checks.output("dx", dx);
        Checks.input("mean", java.util.Objects.requireNonNull(mean, "mean (saved by the forward training call)"));
        Checks.input("rstd", java.util.Objects.requireNonNull(rstd, "rstd (saved by the forward training call)"));
        if (dscale != null) Checks.output("dscale", dscale);
        if (dshift != null) Checks.output("dshift", dshift);
        Checks.sameShape("dy", dy, "x", x);
        Checks.sameShape("dx", dx, "x", x);
        Checks.shape("mean", mean, new long[] {c.n, c.t});
        Checks.shape("rstd", rstd, new long[] {c.n, c.t});
        Checks.shape("dscale", dscale, new long[] {c.n, c.d});
        Checks.shape("dshift", dshift, new long[] {c.n, c.d});
        Checks.savedRstd(rstd);
        Aliasing.check().out("dx", dx).out("dscale", dscale).out("dshift", dshift).in("x", x).in("dy", dy)
                .in("scale", scale).in("mean", mean).in("rstd", rstd).inPlace("dx", "dy").verify();
        return c;
    }

    /** x must be [N, T, D] and scale (and shift, where given) [N, D]. */
    private static AdaLayerNormCall shapes(Tensor x, Tensor scale, Tensor shift) {
        Checks.input("x", x);
        Checks.input("scale", java.util.Objects.requireNonNull(scale, "scale"));
        if (shift != null) Checks.input("shift", shift);
        long[] d = x.dims();
        if (d.length != 3) {
            throw new IllegalArgumentException("x must be [N, T, D] (samples, tokens, features), it has shape "
                    + Shapes.format(d));
        }
        long[] perSample = {d[0], d[2]};
        Checks.shape("scale", scale, perSample);
        Checks.shape("shift", shift, perSample);
        return new AdaLayerNormCall(d[0], d[1], d[2]);
    }

    /** {@code 1 + scale} in f32, in this thread's scratch (valid until its next use). */
    Tensor onePlus(Tensor scale) {
        Tensor s = ThreadScratch.floats(n * d).prefix(new long[] {n, d});
        java.nio.FloatBuffer in = scale.buffer(), out = s.buffer();
        for (int i = 0; i < n * d; i++) out.put(i, 1f + in.get(i));
        return s;
    }

    /** Sample i's [T, D] block of an [N, T, D] tensor, its [D] row of an [N, D] one, its [T] row of an [N, T] one. */
    Tensor tokens(Tensor t, long i) {
        return t == null ? null : t.view(i * this.t * d, new long[] {this.t, d});
    }

    Tensor features(Tensor t, long i) {
        return t == null ? null : t.view(i * d, new long[] {d});
    }

    Tensor rows(Tensor t, long i) {
        return t == null ? null : t.view(i * this.t, new long[] {this.t});
    }
}
