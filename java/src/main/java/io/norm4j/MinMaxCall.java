package io.norm4j;

/**
 * A validated min-max call on a [samples, features] matrix: fit (y null) or transform/inverse
 * into or out of the range [rangeMin, rangeMax].
 */
record MinMaxCall(
        Tensor x, Tensor y, long samples, long features, Tensor dataMin, Tensor dataMax, float rangeMin,
        float rangeMax, boolean inverse, boolean accumulate) {

    static MinMaxCall checkFit(Tensor x, Tensor dataMin, Tensor dataMax, boolean accumulate) {
        Checks.input("x", x);
        Checks.output("dataMin", dataMin);
        Checks.output("dataMax", dataMax);
        long[] d = Checks.matrix("x", x);
        Checks.shape("dataMin", dataMin, new long[] {d[1]});
        Checks.shape("dataMax", dataMax, new long[] {d[1]});
        Aliasing.check().out("dataMin", dataMin).out("dataMax", dataMax).in("x", x).verify();
        return new MinMaxCall(x, null, d[0], d[1], dataMin, dataMax, 0, 1, false, accumulate);
    }

    static MinMaxCall checkTransform(Tensor x, Tensor dataMin, Tensor dataMax, double rangeMin, double rangeMax,
            Tensor y, boolean inverse) {
        Checks.input("x", x);
        Checks.output("y", y);
        Checks.input("dataMin", dataMin);
        Checks.input("dataMax", dataMax);
        Checks.featureRange(rangeMin, rangeMax);
        float a = (float) rangeMin, b = (float) rangeMax;
        long[] d = Checks.matrix("x", x);
        Checks.sameShape("y", y, "x", x);
        Checks.shape("dataMin", dataMin, new long[] {d[1]});
        Checks.shape("dataMax", dataMax, new long[] {d[1]});
        Aliasing.check().out("y", y).in("x", x).in("dataMin", dataMin).in("dataMax", dataMax).inPlace("y", "x").verify();
        return new MinMaxCall(x, y, d[0], d[1], dataMin, dataMax, a, b, inverse, false);
    }
}
