package io.norm4j;

/**
 * A validated residual add fused with layer norm or RMS norm (op says which), flattened to [rows,
 * cols]: {@code h = x + residual}, then {@code y = norm(h)} scaled by {@code scale} (the weight
 * plus the weight offset, or null) and shifted by bias (layer norm only; may be null). mean (layer
 * norm) and rstd are saved where given.
 */
record ResidualNormCall(
        Op op, Tensor x, Tensor residual, Tensor h, Tensor y, long rows, long cols, Tensor scale, Tensor bias,
        float eps, Tensor mean, Tensor rstd) {

    static ResidualNormCall check(Op op, Tensor x, Tensor residual, long[] normalizedShape, Tensor weight,
            double weightOffset, Tensor bias, double eps, Tensor h, Tensor y, Tensor mean, Tensor rstd) {
        if (op == Op.ADD_LAYER_NORM) Checks.normArguments(x, y, weight, bias, mean, rstd);
        else Checks.rmsArguments(x, y, weight, rstd);
        Checks.input("residual", residual);
        Checks.output("h", h);
        float epsF = Checks.eps(eps);
        long[] rc = Checks.trailing(x, normalizedShape);
        Checks.sameShape("residual", residual, "x", x);
        Checks.sameShape("h", h, "x", x);
        Checks.sameShape("y", y, "x", x);
        Checks.shape("weight", weight, normalizedShape);
        Checks.shape("bias", bias, normalizedShape);
        Checks.numel("mean", mean, rc[0], "one per normalized row of x");
        Checks.numel("rstd", rstd, rc[0], "one per normalized row of x");
        WeightOffset.check(weight, weightOffset);
        Aliasing.check().out("h", h).out("y", y).out("mean", mean).out("rstd", rstd).in("x", x).in("residual", residual)
                .in("weight", weight).in("bias", bias).inPlace("h", "residual").inPlace("h", "x").inPlace("y", "x")
                .inPlace("y", "residual").verify();
        Tensor scale = WeightOffset.scale(weight, weightOffset);
        return new ResidualNormCall(op, x, residual, h, y, rc[0], rc[1], scale, bias, epsF, mean, rstd);
    }
}
