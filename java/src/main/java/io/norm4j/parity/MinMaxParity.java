package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Min-max scaling on a backend against REFERENCE. "training" fits (the extrema must match
 * exactly: min and max involve no rounding) and then transforms; "inference" transforms and
 * inverse-transforms with a given fit.
 */
public final class MinMaxParity {
    private MinMaxParity() {}

    static final float RANGE_MIN = -1f, RANGE_MAX = 2f;

    public static ParityResult run(Backend backend, int samples, int features, InputDistribution input, boolean training,
            long seed, DType dtype) {
        // Feature j is group j: a "constant group" is a constant feature.
        GroupedData data = new GroupedData(new Features(samples, features), input, seed, dtype);
        float[] fitMin = new float[features], fitMax = new float[features];
        for (int j = 0; j < features; j++) {
            fitMin[j] = Float.POSITIVE_INFINITY;
            fitMax[j] = Float.NEGATIVE_INFINITY;
            for (int r = 0; r < samples; r++) {
                float v = data.values[j * samples + r];
                if (v < fitMin[j]) fitMin[j] = v;
                if (v > fitMax[j]) fitMax[j] = v;
            }
        }
        long[] shape = {samples, features};

        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                var x = r.data(data.tensor, shape);
                if (training) {
                    var mn = r.out("dataMin", features);
                    var mx = r.out("dataMax", features);
                    r.norms.minMaxFit(x, mn, mx);
                    r.norms.minMaxTransform(x, mn, mx, RANGE_MIN, RANGE_MAX, r.dataOut("y", shape));
                } else {
                    var mn = r.in(fitMin, features);
                    var mx = r.in(fitMax, features);
                    var y = r.dataOut("y", shape);
                    r.norms.minMaxTransform(x, mn, mx, RANGE_MIN, RANGE_MAX, y);
                    r.norms.minMaxInverseTransform(y, mn, mx, RANGE_MIN, RANGE_MAX, r.dataOut("inverse", shape));
                }
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);

        // y = (x - min) * scale + a: a few roundings of |x - min| * |scale| + |a|; the inverse likewise
        // of |y - a| * |1 / scale| + |min|.
        double width = (double) RANGE_MAX - RANGE_MIN, outScale = 0, invScale = 0, magnify = 0;
        for (int j = 0; j < features; j++) {
            double range = (double) fitMax[j] - fitMin[j];
            if (range == 0) range = 1;
            if (Double.isFinite(range)) magnify = Math.max(magnify, range / width);
            for (int r = 0; r < samples; r++) {
                double d = Math.abs(data.values[j * samples + r] - (double) fitMin[j]);
                double o = d * width / range + Math.abs(RANGE_MIN);
                double i = d + Math.abs(fitMin[j]);
                if (Double.isFinite(o)) outScale = Math.max(outScale, o);
                if (Double.isFinite(i)) invScale = Math.max(invScale, i);
            }
        }
        double u = TolerancePolicy.OUTPUT_ROUNDINGS * TolerancePolicy.UNIT_ROUNDOFF;
        double yTol = u * outScale;
        List<ParityResult.Check> checks = new ArrayList<>();
        checks.add(Comparison.check("y", got.get("y"), ref.get("y"), yTol));
        if (training) {
            checks.add(Comparison.check("dataMin", got.get("dataMin"), ref.get("dataMin"), 0));
            checks.add(Comparison.check("dataMax", got.get("dataMax"), ref.get("dataMax"), 0));
        } else {
            // Each backend inverts its own y, so y's error comes back magnified by range / width; a
            // half-precision y's rounding with it.
            double yStored = TolerancePolicy.storageRounding(dtype, Comparison.maxAbs(ref.get("y")));
            checks.add(Comparison.check("inverse", got.get("inverse"), ref.get("inverse"),
                    u * invScale + (yTol + yStored) * magnify));
        }
        return new ParityResult("min_max", "forward", training ? "training" : "inference", backend, "rows", shape, dtype,
                input, false, TolerancePolicy.withStorage(checks, dtype, ref), true);
    }

    record Features(int samples, int groups) implements GroupedData.Indexing {
        public int groupSize() {
            return samples;
        }

        public int offset(int j, int r) {
            return r * groups + j;
        }

        public int channel(int j, int r) {
            return j;
        }
    }
}
