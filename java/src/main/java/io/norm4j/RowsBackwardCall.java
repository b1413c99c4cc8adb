package io.norm4j;

import java.util.Objects;

/**
 * A validated layer norm or RMS norm backward call over [rows, cols] (op says which): the gradient
 * dy of the output, the forward's input x and saved statistics (RMS norm saves no mean: null), and
 * the gradients to write: dx, and optionally dweight and dbias ([normalizedShape]).
 */
record RowsBackwardCall(
        Op op,
        Tensor x, Tensor dy, Tensor dx, long rows, long cols, Tensor weight, Tensor mean, Tensor rstd, Tensor dweight,
        Tensor dbias) {

    static RowsBackwardCall check(Tensor x, Tensor dy, long[] normalizedShape, Tensor weight, Tensor mean,
            Tensor rstd, Tensor dx, Tensor dweight, Tensor dbias, Op op) {
        boolean rms = op == Op.RMS_NORM;
        Checks.input("x", x);
        Checks.input("dy", dy);
        Checks.output("dx", dx);
        Checks.optionalInput("weight", weight);
        if (!rms) Checks.input("mean", Objects.requireNonNull(mean, "mean (saved by the forward training call)"));
        Checks.input("rstd", Objects.requireNonNull(rstd, "rstd (saved by the forward training call)"));
        if (dweight != null) Checks.output("dweight", dweight);
        if (dbias != null) Checks.output("dbias", dbias);
        long[] rc = Checks.trailing(x, normalizedShape);
        Checks.sameShape("dy", dy, "x", x);
        Checks.sameShape("dx", dx, "x", x);
        Checks.shape("weight", weight, normalizedShape);
        Checks.shape("dweight", dweight, normalizedShape);
        Checks.shape("dbias", dbias, normalizedShape);
        Checks.numel("mean", mean, rc[0], "saved statistics must come from a forward call on x's shape");
        Checks.numel("rstd", rstd, rc[0], "saved statistics must come from a forward call on x's shape");
        Checks.savedRstd(rstd);
        Aliasing.check().out("dx", dx).out("dweight", dweight).out("dbias", dbias).in("x", x).in("dy", dy)
                .in("weight", weight).in("mean", mean).in("rstd", rstd).inPlace("dx", "dy").verify();
        return new RowsBackwardCall(op, x, dy, dx, rc[0], rc[1], weight, rms ? null : mean, rstd, dweight, dbias);
    }

    /** The same call scaling by {@code w} instead of its weight (a weight plus its offset). */
    RowsBackwardCall withWeight(Tensor w) {
        return new RowsBackwardCall(op, x, dy, dx, rows, cols, w, mean, rstd, dweight, dbias);
    }
}
