package io.norm4j;

/**
 * A validated layer norm call, flattened to a [rows, cols] matrix: rows is the product of the
 * leading dimensions of x, cols of the normalized ones. weight, bias, mean and rstd may be null.
 */
record LayerNormCall(
        Tensor x, Tensor y, long rows, long cols, Tensor weight, Tensor bias, float eps, Tensor mean, Tensor rstd) {

    boolean training() {
        return mean != null;
    }

    static LayerNormCall check(Tensor x, long[] normalizedShape, Tensor weight, Tensor bias, double eps, Tensor y,
            Tensor mean, Tensor rstd) {
        Checks.normArguments(x, y, weight, bias, mean, rstd);
        float epsF = Checks.eps(eps);
        long[] rc = Checks.trailing(x, normalizedShape);
        Checks.sameShape("y", y, "x", x);
        Checks.shape("weight", weight, normalizedShape);
        Checks.shape("bias", bias, normalizedShape);
        Checks.numel("mean", mean, rc[0], "one per normalized row of x");
        Checks.numel("rstd", rstd, rc[0], "one per normalized row of x");
        Aliasing.check().out("y", y).out("mean", mean).out("rstd", rstd).in("x", x).in("weight", weight).in("bias", bias)
                .inPlace("y", "x").verify();
        return new LayerNormCall(x, y, rc[0], rc[1], weight, bias, epsF, mean, rstd);
    }
}
