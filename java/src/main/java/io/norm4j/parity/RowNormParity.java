package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Layer norm and RMS norm over the trailing dimensions: one case on a backend against REFERENCE. */
public final class RowNormParity {
    private RowNormParity() {}

    static final float EPS = 1e-5f;

    /**
     * @param shape the input's shape; the last {@code normalizedDims} dimensions are normalized
     * @param rms RMS norm instead of layer norm (no centring, no bias)
     */
    public static ParityResult run(Backend backend, long[] shape, int normalizedDims, boolean rms,
            InputDistribution input, boolean affine, boolean training, long seed, DType dtype) {
        long[] normalized = Arrays.copyOfRange(shape, shape.length - normalizedDims, shape.length);
        int cols = Math.toIntExact(Arrays.stream(normalized).reduce(1, Math::multiplyExact));
        int rows = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact) / Math.max(cols, 1));
        GroupedData data = new GroupedData(new Rows(rows, cols), input, seed, dtype);
        float[][] wb = affine ? GroupedData.affine(cols, seed) : new float[][] {null, null};
        float[] w = wb[0], b = rms ? null : wb[1];

        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                var x = r.data(data.tensor, shape);
                var wt = r.in(w, normalized);
                var bt = r.in(b, normalized);
                var y = r.dataOut("y", shape);
                if (rms) {
                    if (training) r.norms.rmsNormTraining(x, normalized, wt, EPS, y, r.out("rstd", rows));
                    else r.norms.rmsNorm(x, normalized, wt, EPS, y);
                } else if (training) {
                    r.norms.layerNormTraining(x, normalized, wt, bt, EPS, y, r.out("mean", rows), r.out("rstd", rows));
                } else {
                    r.norms.layerNorm(x, normalized, wt, bt, EPS, y);
                }
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);

        List<ParityResult.Check> checks = forwardChecks(backend, data, w, b, rms, got, ref);
        return new ParityResult(rms ? "rms_norm" : "layer_norm", "forward", training ? "training" : "inference",
                backend, "rows", shape, dtype, input, affine, TolerancePolicy.withStorage(checks, dtype, ref),
                rms ? TolerancePolicy.claimsRmsNormParity(backend, input) : TolerancePolicy.claimsParity(backend, input, true));
    }

    /**
     * y, and mean and rstd where saved, against REFERENCE's: the tolerances from the data's own
     * statistics (RMS norm: "normalized with" mean 0 and variance E[x^2]) and the scale w, bias b.
     */
    static List<ParityResult.Check> forwardChecks(Backend backend, GroupedData data, float[] w, float[] b, boolean rms,
            Map<String, float[]> got, Map<String, float[]> ref) {
        int rows = data.index.groups(), cols = data.index.groupSize();
        double[][] stats = new double[rows][];
        for (int g = 0; g < rows; g++) {
            double[] mv = data.meanVar(g);
            stats[g] = rms ? new double[] {0, mv[1] + mv[0] * mv[0]} : mv;
        }
        GroupedData.Scales s = data.scales(stats, w, b, EPS);
        double statErr = TolerancePolicy.statisticsError(TolerancePolicy.precisionOf(backend), cols, s.kappa());
        var checks = new java.util.ArrayList<ParityResult.Check>();
        checks.add(Comparison.check("y", got.get("y"), ref.get("y"),
                TolerancePolicy.outputTolerance(s.output(), s.maxAbsWeight(), statErr)));
        if (got.containsKey("mean")) {
            checks.add(Comparison.check("mean", got.get("mean"), ref.get("mean"),
                    TolerancePolicy.meanTolerance(s.maxAbsMean(), s.maxStd(), statErr)));
        }
        if (got.containsKey("rstd")) {
            checks.add(Comparison.check("rstd", got.get("rstd"), ref.get("rstd"),
                    TolerancePolicy.rstdTolerance(s.maxRstd(), statErr)));
        }
        return checks;
    }

    /** Row g is a group; the weight index is the position in the row. */
    record Rows(int groups, int groupSize) implements GroupedData.Indexing {
        public int offset(int g, int k) {
            return g * groupSize + k;
        }

        public int channel(int g, int k) {
            return k;
        }
    }

    /** Backward from the statistics REFERENCE's training forward saved, with dy ~ N(0, 1). */
    public static ParityResult runBackward(Backend backend, long[] shape, int normalizedDims, boolean rms,
            InputDistribution input, boolean affine, long seed, DType dtype) {
        long[] normalized = Arrays.copyOfRange(shape, shape.length - normalizedDims, shape.length);
        int cols = Math.toIntExact(Arrays.stream(normalized).reduce(1, Math::multiplyExact));
        int rows = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact) / Math.max(cols, 1));
        GroupedData data = new GroupedData(new Rows(rows, cols), input, seed, dtype);
        float[] w = affine ? GroupedData.affine(cols, seed)[0] : null;
        float[] dy = GroupedData.stored(InputDistribution.NORMAL.generate(1, rows * cols, seed + 7), dtype);
        float[] mean, rstd;
        try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
            var x = r.data(data.tensor, shape);
            var wt = r.in(w, normalized);
            if (rms) r.norms.rmsNormTraining(x, normalized, wt, EPS, r.dataOut("y", shape), r.out("rstd", rows));
            else r.norms.layerNormTraining(x, normalized, wt, null, EPS, r.dataOut("y", shape), r.out("mean", rows), r.out("rstd", rows));
            Map<String, float[]> saved = r.read();
            mean = saved.get("mean");
            rstd = saved.get("rstd");
        }
        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                var x = r.data(data.tensor, shape);
                var d = r.data(dy, shape);
                var wt = r.in(w, normalized);
                var dx = r.dataOut("dx", shape);
                var dw = r.out("dweight", normalized);
                if (rms) r.norms.rmsNormBackward(x, d, normalized, wt, r.in(rstd, rows), dx, dw);
                else r.norms.layerNormBackward(x, d, normalized, wt, r.in(mean, rows), r.in(rstd, rows), dx, dw, r.out("dbias", normalized));
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);
        return new ParityResult(rms ? "rms_norm" : "layer_norm", "backward", "training", backend, "rows", shape, dtype,
                input, affine, TolerancePolicy.withStorage(BackwardTolerance.checks(data, dy, mean, rstd, w, !rms, true,
                        TolerancePolicy.precisionOf(backend), got, ref, cols), dtype, ref),
                TolerancePolicy.claimsParity(backend, input, !rms));
    }
}
