package io.norm4j;

/** A validated RMS norm call over [rows, cols]; weight and rstd may be null. */
record RmsNormCall(Tensor x, Tensor y, long rows, long cols, Tensor weight, float eps, Tensor rstd) {

    static RmsNormCall check(Tensor x, long[] normalizedShape, Tensor weight, double eps, Tensor y, Tensor rstd) {
        Checks.rmsArguments(x, y, weight, rstd);
        float epsF = Checks.eps(eps);
        long[] rc = Checks.trailing(x, normalizedShape);
        Checks.sameShape("y", y, "x", x);
        Checks.shape("weight", weight, normalizedShape);
        Checks.numel("rstd", rstd, rc[0], "one per normalized row of x");
        Aliasing.check().out("y", y).out("rstd", rstd).in("x", x).in("weight", weight).inPlace("y", "x").verify();
        return new RmsNormCall(x, y, rc[0], rc[1], weight, epsF, rstd);
    }
}
