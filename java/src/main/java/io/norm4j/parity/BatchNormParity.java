package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Batch norm on a backend against REFERENCE. Training compares y, the saved mean and rstd, and
 * the running statistics after one momentum update; inference normalizes with running statistics
 * that differ from the batch's own.
 */
public final class BatchNormParity {
    private BatchNormParity() {}

    static final float EPS = 1e-5f;
    static final double MOMENTUM = 0.1;

    public static ParityResult run(Backend backend, int n, int c, int[] spatial, Layout layout,
            InputDistribution input, boolean affine, boolean training, long seed, DType dtype) {
        int s = ChannelIndexing.product(spatial);
        ChannelIndexing at = new ChannelIndexing(n, c, s, layout);
        long[] shape = ChannelIndexing.shape(n, c, spatial, layout);
        GroupedData data = new GroupedData(new Channels(at), input, seed, dtype);
        float[][] wb = affine ? GroupedData.affine(c, seed) : new float[][] {null, null};

        // Batch statistics in double; running statistics offset from them by 0.1 std and x1.2.
        double[][] batch = new double[c][];
        float[] runningMean = new float[c], runningVar = new float[c];
        for (int ch = 0; ch < c; ch++) {
            batch[ch] = data.meanVar(ch);
            double m = Double.isFinite(batch[ch][0]) ? batch[ch][0] : 0, v = Double.isFinite(batch[ch][1]) ? batch[ch][1] : 1;
            runningMean[ch] = training ? 0f : (float) (m + 0.1 * Math.sqrt(v));
            runningVar[ch] = training ? 1f : (float) (1.2 * v + 1e-3);
        }

        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                var x = r.data(data.tensor, shape);
                var w = r.in(wb[0], c);
                var b = r.in(wb[1], c);
                var rm = r.inOut("runningMean", runningMean, c);
                var rv = r.inOut("runningVar", runningVar, c);
                var y = r.dataOut("y", shape);
                if (training) {
                    r.norms.batchNormTraining(x, layout, rm, rv, w, b, MOMENTUM, EPS, y, r.out("mean", c), r.out("rstd", c));
                } else {
                    r.norms.batchNorm(x, layout, rm, rv, w, b, EPS, y);
                }
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);

        double[][] normalizedWith = new double[c][];
        for (int ch = 0; ch < c; ch++) {
            normalizedWith[ch] = training ? batch[ch] : new double[] {runningMean[ch], runningVar[ch]};
        }
        GroupedData.Scales sc = data.scales(normalizedWith, wb[0], wb[1], EPS);
        long count = (long) n * s;
        double statErr = training
                ? TolerancePolicy.statisticsError(TolerancePolicy.precisionOf(backend), count, sc.kappa())
                : 0; // inference computes no statistics
        List<ParityResult.Check> checks = new ArrayList<>();
        checks.add(Comparison.check("y", got.get("y"), ref.get("y"),
                TolerancePolicy.outputTolerance(sc.output(), sc.maxAbsWeight(), statErr)));
        if (training) {
            checks.addAll(savedStatisticsChecks(got, ref, sc, statErr));
            checks.addAll(runningStatisticsChecks(got, ref, sc, statErr, count));
        }
        return new ParityResult("batch_norm", "forward", training ? "training" : "inference", backend, layout.id(),
                shape, dtype, input, affine, TolerancePolicy.withStorage(checks, dtype, ref),
                TolerancePolicy.claimsParity(backend, input, training));
    }

    /**
     * Backward: through the batch statistics REFERENCE's training forward saved ("training"), or
     * with running statistics as constants ("inference"); dy ~ N(0, 1).
     */
    public static ParityResult runBackward(Backend backend, int n, int c, int[] spatial, Layout layout,
            InputDistribution input, boolean affine, boolean training, long seed, DType dtype) {
        int s = ChannelIndexing.product(spatial);
        ChannelIndexing at = new ChannelIndexing(n, c, s, layout);
        long[] shape = ChannelIndexing.shape(n, c, spatial, layout);
        GroupedData data = new GroupedData(new Channels(at), input, seed, dtype);
        float[] w = affine ? GroupedData.affine(c, seed)[0] : null;
        float[] dy = GroupedData.stored(InputDistribution.NORMAL.generate(1, n * c * s, seed + 7), dtype);
        float[] mean, rstd, runningVar = new float[c];
        if (training) {
            try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
                r.norms.batchNormTraining(r.data(data.tensor, shape), layout, null, null, r.in(w, c), null, MOMENTUM, EPS,
                        r.dataOut("y", shape), r.out("mean", c), r.out("rstd", c));
                Map<String, float[]> saved = r.read();
                mean = saved.get("mean");
                rstd = saved.get("rstd");
            }
        } else {
            mean = new float[c];
            rstd = new float[c];
            for (int ch = 0; ch < c; ch++) {
                double[] mv = data.meanVar(ch);
                double m = Double.isFinite(mv[0]) ? mv[0] : 0, v = Double.isFinite(mv[1]) ? mv[1] : 1;
                mean[ch] = (float) (m + 0.1 * Math.sqrt(v));
                runningVar[ch] = (float) (1.2 * v + 1e-3);
                rstd[ch] = (float) (1.0 / Math.sqrt(runningVar[ch] + (double) EPS));
            }
        }
        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                var x = r.data(data.tensor, shape);
                var d = r.data(dy, shape);
                var wt = r.in(w, c);
                var dx = r.dataOut("dx", shape);
                var dw = r.out("dweight", c);
                var db = r.out("dbias", c);
                if (training) r.norms.batchNormBackward(x, d, layout, wt, r.in(mean, c), r.in(rstd, c), dx, dw, db);
                else r.norms.batchNormBackwardWithRunningStats(x, d, layout, r.in(mean, c), r.in(runningVar, c), wt, EPS, dx, dw, db);
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);
        return new ParityResult("batch_norm", "backward", training ? "training" : "inference", backend, layout.id(),
                shape, dtype, input, affine, TolerancePolicy.withStorage(BackwardTolerance.checks(data, dy, mean, rstd, w,
                        true, training, TolerancePolicy.precisionOf(backend), got, ref, c), dtype, ref),
                TolerancePolicy.claimsParity(backend, input, training));
    }

    /** The saved mean and rstd against REFERENCE's. */
    static List<ParityResult.Check> savedStatisticsChecks(Map<String, float[]> got, Map<String, float[]> ref,
            GroupedData.Scales sc, double statErr) {
        return List.of(
                Comparison.check("mean", got.get("mean"), ref.get("mean"),
                        TolerancePolicy.meanTolerance(sc.maxAbsMean(), sc.maxStd(), statErr)),
                Comparison.check("rstd", got.get("rstd"), ref.get("rstd"), TolerancePolicy.rstdTolerance(sc.maxRstd(), statErr)));
    }

    /** The running statistics after one update with {@link #MOMENTUM}, against REFERENCE's. */
    static List<ParityResult.Check> runningStatisticsChecks(Map<String, float[]> got, Map<String, float[]> ref,
            GroupedData.Scales sc, double statErr, long count) {
        double meanTol = TolerancePolicy.meanTolerance(sc.maxAbsMean(), sc.maxStd(), statErr);
        return List.of(
                Comparison.check("runningMean", got.get("runningMean"), ref.get("runningMean"),
                        TolerancePolicy.runningMeanTolerance(MOMENTUM, meanTol, maxAbs(ref.get("runningMean")))),
                Comparison.check("runningVar", got.get("runningVar"), ref.get("runningVar"),
                        TolerancePolicy.runningVarTolerance(MOMENTUM, count / (count - 1.0), sc.maxStd() * sc.maxStd(),
                                statErr, maxAbs(ref.get("runningVar")))));
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) if (Float.isFinite(f)) m = Math.max(m, Math.abs(f));
        return m;
    }

    /** Channel g is a group: its values over samples and positions. */
    record Channels(ChannelIndexing at) implements GroupedData.Indexing {
        public int groups() {
            return at.c();
        }

        public int groupSize() {
            return at.n() * at.s();
        }

        public int offset(int g, int k) {
            return at.offset(k / at.s(), g, k % at.s());
        }

        public int channel(int g, int k) {
            return g;
        }
    }
}
