package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Layout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Group norm, and instance norm (one group per channel, with running statistics updated in
 * training), on a backend against REFERENCE.
 */
public final class GroupNormParity {
    private GroupNormParity() {}

    static final float EPS = 1e-5f;

    /** @param groups the number of groups, or 0 for instance norm */
    public static ParityResult run(Backend backend, int n, int c, int[] spatial, int groups, Layout layout,
            InputDistribution input, boolean affine, boolean training, long seed, DType dtype) {
        boolean instance = groups == 0;
        int g = instance ? c : groups;
        int s = ChannelIndexing.product(spatial);
        ChannelIndexing at = new ChannelIndexing(n, c, s, layout);
        long[] shape = ChannelIndexing.shape(n, c, spatial, layout);
        GroupedData data = new GroupedData(new SampleGroups(at, g), input, seed, dtype);
        float[][] wb = affine ? GroupedData.affine(c, seed) : new float[][] {null, null};
        float[] ones = new float[c], zeros = new float[c];
        java.util.Arrays.fill(ones, 1f);

        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                var x = r.data(data.tensor, shape);
                var w = r.in(wb[0], c);
                var b = r.in(wb[1], c);
                var y = r.dataOut("y", shape);
                if (instance && training) {
                    r.norms.instanceNormTraining(x, layout, r.inOut("runningMean", zeros, c),
                            r.inOut("runningVar", ones, c), w, b, BatchNormParity.MOMENTUM, EPS, y,
                            r.out("mean", n, c), r.out("rstd", n, c));
                } else if (instance) {
                    r.norms.instanceNorm(x, layout, w, b, EPS, y);
                } else if (training) {
                    r.norms.groupNormTraining(x, layout, g, w, b, EPS, y, r.out("mean", n, g), r.out("rstd", n, g));
                } else {
                    r.norms.groupNorm(x, layout, g, w, b, EPS, y);
                }
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);

        int groupCount = n * g;
        double[][] stats = new double[groupCount][];
        for (int i = 0; i < groupCount; i++) stats[i] = data.meanVar(i);
        GroupedData.Scales sc = data.scales(stats, wb[0], wb[1], EPS);
        long count = (long) (c / g) * s;
        double statErr = TolerancePolicy.statisticsError(TolerancePolicy.precisionOf(backend), count, sc.kappa());
        List<ParityResult.Check> checks = new ArrayList<>();
        checks.add(Comparison.check("y", got.get("y"), ref.get("y"),
                TolerancePolicy.outputTolerance(sc.output(), sc.maxAbsWeight(), statErr)));
        if (training) checks.addAll(BatchNormParity.savedStatisticsChecks(got, ref, sc, statErr));
        if (instance && training) checks.addAll(BatchNormParity.runningStatisticsChecks(got, ref, sc, statErr, count));
        return new ParityResult(instance ? "instance_norm" : "group_norm", "forward", training ? "training" : "inference",
                backend, layout.id(), shape, dtype, input, affine, TolerancePolicy.withStorage(checks, dtype, ref),
                TolerancePolicy.claimsParity(backend, input, true));
    }

    /** Backward from the statistics REFERENCE's training forward saved; groups 0 is instance norm. */
    public static ParityResult runBackward(Backend backend, int n, int c, int[] spatial, int groups, Layout layout,
            InputDistribution input, boolean affine, long seed, DType dtype) {
        boolean instance = groups == 0;
        int g = instance ? c : groups;
        int s = ChannelIndexing.product(spatial);
        ChannelIndexing at = new ChannelIndexing(n, c, s, layout);
        long[] shape = ChannelIndexing.shape(n, c, spatial, layout);
        GroupedData data = new GroupedData(new SampleGroups(at, g), input, seed, dtype);
        float[] w = affine ? GroupedData.affine(c, seed)[0] : null;
        float[] dy = GroupedData.stored(InputDistribution.NORMAL.generate(1, n * c * s, seed + 7), dtype);
        float[] mean, rstd;
        try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
            var x = r.data(data.tensor, shape);
            if (instance) {
                r.norms.instanceNormTraining(x, layout, null, null, r.in(w, c), null, 0.1, EPS, r.dataOut("y", shape),
                        r.out("mean", n, c), r.out("rstd", n, c));
            } else {
                r.norms.groupNormTraining(x, layout, g, r.in(w, c), null, EPS, r.dataOut("y", shape), r.out("mean", n, g),
                        r.out("rstd", n, g));
            }
            Map<String, float[]> saved = r.read();
            mean = saved.get("mean");
            rstd = saved.get("rstd");
        }
        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                var x = r.data(data.tensor, shape);
                var d = r.data(dy, shape);
                var wt = r.in(w, c);
                var m = r.in(mean, n, g);
                var rs = r.in(rstd, n, g);
                var dx = r.dataOut("dx", shape);
                var dw = r.out("dweight", c);
                var db = r.out("dbias", c);
                if (instance) r.norms.instanceNormBackward(x, d, layout, wt, m, rs, dx, dw, db);
                else r.norms.groupNormBackward(x, d, layout, g, wt, m, rs, dx, dw, db);
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);
        return new ParityResult(instance ? "instance_norm" : "group_norm", "backward", "training", backend, layout.id(),
                shape, dtype, input, affine, TolerancePolicy.withStorage(BackwardTolerance.checks(data, dy, mean, rstd, w,
                        true, true, TolerancePolicy.precisionOf(backend), got, ref, c), dtype, ref),
                TolerancePolicy.claimsParity(backend, input, true));
    }

    /** Group i = (sample i / G, group i % G): its channels' values over positions. */
    record SampleGroups(ChannelIndexing at, int g) implements GroupedData.Indexing {
        public int groups() {
            return at.n() * g;
        }

        public int groupSize() {
            return at.c() / g * at.s();
        }

        public int offset(int i, int k) {
            return at.offset(i / g, channel(i, k), k % at.s());
        }

        public int channel(int i, int k) {
            return (i % g) * (at.c() / g) + k / at.s();
        }
    }
}
