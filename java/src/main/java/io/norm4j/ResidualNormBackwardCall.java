package io.norm4j;

/**
 * A validated backward of a residual add fused with layer norm or RMS norm: the norm's backward on
 * the h the forward wrote ({@code norm.x()}, with the scale as its weight), and dh, the gradient
 * arriving on h from later (null for none), added to dx.
 */
record ResidualNormBackwardCall(RowsBackwardCall norm, Tensor dh) {

    static ResidualNormBackwardCall check(Op op, Tensor h, Tensor dy, Tensor dh, long[] normalizedShape, Tensor weight,
            double weightOffset, Tensor mean, Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias) {
        Checks.input("h", h);
        if (dh != null) {
            Checks.input("dh", dh);
            Checks.sameShape("dh", dh, "h", h);
        }
        Checks.optionalInput("weight", weight);
        WeightOffset.check(weight, weightOffset);
        RowsBackwardCall norm = RowsBackwardCall.check(h, dy, normalizedShape, weight, mean, rstd, dx, dweight, dbias,
                op.norm());
        Aliasing.check().out("dx", dx).out("dweight", dweight).out("dbias", dbias).in("dh", dh).inPlace("dx", "dh")
                .verify();
        return new ResidualNormBackwardCall(norm.withWeight(WeightOffset.scale(weight, weightOffset)), dh);
    }
}
