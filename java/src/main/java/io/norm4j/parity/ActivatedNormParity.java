package io.norm4j.parity;

import io.norm4j.Activation;
import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Layout;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Group norm fused with SiLU and batch norm fused with ReLU on a backend, against REFERENCE's fused
 * call and against REFERENCE's plain norm followed by the activation (forward), or followed in
 * reverse by the activation's gradient and the plain backward. The norm's bounds carry over through
 * the activation (TolerancePolicy.activatedOutputTolerance); the backward's are the plain
 * backward's for a dy of the activation's gradient, plus what NATIVE's f32 SiLU derivative adds.
 */
public final class ActivatedNormParity {
    private ActivatedNormParity() {}

    private static final float EPS = GroupNormParity.EPS;

    /** groups > 0: group_norm_silu with that many groups; 0: batch_norm_relu. */
    private record Shape(int n, int c, int[] spatial, int groups, Layout layout) {
        boolean batch() {
            return groups == 0;
        }

        String op() {
            return batch() ? "batch_norm_relu" : "group_norm_silu";
        }

        Activation activation() {
            return batch() ? Activation.RELU : Activation.SILU;
        }

        ChannelIndexing at() {
            return new ChannelIndexing(n, c, ChannelIndexing.product(spatial), layout);
        }

        long[] dims() {
            return ChannelIndexing.shape(n, c, spatial, layout);
        }

        int statistics() {
            return batch() ? c : n * groups;
        }

        GroupedData data(InputDistribution input, long seed, DType dtype) {
            GroupedData.Indexing ix = batch() ? new BatchNormParity.Channels(at()) : new GroupNormParity.SampleGroups(at(), groups);
            return new GroupedData(ix, input, seed, dtype);
        }
    }

    public static ParityResult run(Backend backend, int n, int c, int[] spatial, int groups, Layout layout,
            InputDistribution input, boolean training, long seed, DType dtype) {
        Shape sh = new Shape(n, c, spatial, groups, layout);
        long[] shape = sh.dims();
        GroupedData data = sh.data(input, seed, dtype);
        float[][] wb = GroupedData.affine(c, seed);
        // Inference (batch norm only): running statistics offset from the batch's, as BatchNormParity's.
        double[][] stats = new double[sh.statistics()][];
        float[] runningMean = new float[c], runningVar = new float[c];
        for (int i = 0; i < stats.length; i++) stats[i] = data.meanVar(i);
        if (!training) {
            for (int ch = 0; ch < c; ch++) {
                double m = Double.isFinite(stats[ch][0]) ? stats[ch][0] : 0, v = Double.isFinite(stats[ch][1]) ? stats[ch][1] : 1;
                runningMean[ch] = (float) (m + 0.1 * Math.sqrt(v));
                runningVar[ch] = (float) (1.2 * v + 1e-3);
                stats[ch] = new double[] {runningMean[ch], runningVar[ch]};
            }
        }
        Function<Backend, Map<String, float[]>> call = be -> forward(be, sh, data, wb, runningMean, runningVar, training,
                dtype, true);
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);
        GroupedData.Scales sc = data.scales(stats, wb[0], wb[1], EPS);
        long count = sh.batch() ? (long) n * sh.at().s() : (long) (c / groups) * sh.at().s();
        double statErr = training ? TolerancePolicy.statisticsError(TolerancePolicy.precisionOf(backend), count, sc.kappa()) : 0;
        double normTol = TolerancePolicy.outputTolerance(sc.output(), sc.maxAbsWeight(), statErr);
        double yTol = TolerancePolicy.activatedOutputTolerance(normTol, Comparison.maxAbs(ref.get("y")));
        List<ParityResult.Check> checks = new ArrayList<>();
        checks.add(Comparison.check("y", got.get("y"), ref.get("y"), yTol));
        if (training) checks.addAll(BatchNormParity.savedStatisticsChecks(got, ref, sc, statErr));
        // The activation as its own pass rounds the norm's output first: one more rounding of y, and
        // of the norm's output carried through the activation's slope (at most 1.1).
        float[] composed = forward(Backend.REFERENCE, sh, data, wb, runningMean, runningVar, training, dtype, false).get("y");
        for (int i = 0; i < composed.length; i++) composed[i] = (float) sh.activation().apply(composed[i]);
        checks.add(Comparison.check("y (the norm, then the activation)", got.get("y"), composed,
                yTol + 3 * TolerancePolicy.UNIT_ROUNDOFF * Comparison.maxAbs(ref.get("y"))));
        return new ParityResult(sh.op(), "forward", training ? "training" : "inference", backend, layout.id(), shape, dtype,
                input, true, TolerancePolicy.withStorage(checks, dtype, ref),
                TolerancePolicy.claimsParity(backend, input, training || !sh.batch())
                        && (!sh.batch() || TolerancePolicy.claimsFusedReluParity(backend, input)));
    }

    /** The fused training or inference call, or (fused false) the plain norm alone, writing f32 y. */
    private static Map<String, float[]> forward(Backend be, Shape sh, GroupedData data, float[][] wb, float[] runningMean,
            float[] runningVar, boolean training, DType dtype, boolean fused) {
        try (BackendRun r = new BackendRun(be, dtype)) {
            long[] shape = sh.dims();
            Tensor x = r.data(data.tensor, shape), w = r.in(wb[0], sh.c()), b = r.in(wb[1], sh.c());
            Tensor y = fused ? r.dataOut("y", shape) : r.out("y", shape);
            int stats = sh.statistics();
            if (sh.batch() && training) {
                Tensor mean = r.out("mean", stats), rstd = r.out("rstd", stats);
                if (fused) r.norms.batchNormReluTraining(x, sh.layout(), null, null, w, b, 0.1, EPS, y, mean, rstd);
                else r.norms.batchNormTraining(x, sh.layout(), null, null, w, b, 0.1, EPS, y, mean, rstd);
            } else if (sh.batch()) {
                Tensor rm = r.in(runningMean, sh.c()), rv = r.in(runningVar, sh.c());
                if (fused) r.norms.batchNormRelu(x, sh.layout(), rm, rv, w, b, EPS, y);
                else r.norms.batchNorm(x, sh.layout(), rm, rv, w, b, EPS, y);
            } else if (training) {
                Tensor mean = r.out("mean", stats), rstd = r.out("rstd", stats);
                if (fused) r.norms.groupNormSiluTraining(x, sh.layout(), sh.groups(), w, b, EPS, y, mean, rstd);
                else r.norms.groupNormTraining(x, sh.layout(), sh.groups(), w, b, EPS, y, mean, rstd);
            } else {
                if (fused) r.norms.groupNormSilu(x, sh.layout(), sh.groups(), w, b, EPS, y);
                else r.norms.groupNorm(x, sh.layout(), sh.groups(), w, b, EPS, y);
            }
            return r.read();
        }
    }

    /** Backward from the statistics REFERENCE's fused training forward saved, dy ~ N(0, 1). */
    public static ParityResult runBackward(Backend backend, int n, int c, int[] spatial, int groups, Layout layout,
            InputDistribution input, long seed, DType dtype) {
        Shape sh = new Shape(n, c, spatial, groups, layout);
        long[] shape = sh.dims();
        GroupedData data = sh.data(input, seed, dtype);
        float[][] wb = GroupedData.affine(c, seed);
        float[] dy = GroupedData.stored(InputDistribution.NORMAL.generate(1, n * c * sh.at().s(), seed + 7), dtype);
        Map<String, float[]> saved = forward(Backend.REFERENCE, sh, data, wb, null, null, true, dtype, true);
        float[] mean = saved.get("mean"), rstd = saved.get("rstd");
        int stats = sh.statistics();
        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                Tensor x = r.data(data.tensor, shape), d = r.data(dy, shape), w = r.in(wb[0], c), b = r.in(wb[1], c);
                Tensor m = r.in(mean, stats), rs = r.in(rstd, stats);
                Tensor dx = r.dataOut("dx", shape), dw = r.out("dweight", c), db = r.out("dbias", c);
                if (sh.batch()) r.norms.batchNormReluBackward(x, d, layout, w, b, m, rs, dx, dw, db);
                else r.norms.groupNormSiluBackward(x, d, layout, groups, w, b, m, rs, dx, dw, db);
                return r.read();
            }
        };
        Map<String, float[]> ref = call.apply(Backend.REFERENCE), got = call.apply(backend);
        // The activation's gradient as REFERENCE forms it: the pre-activation in f32, the derivative in double.
        GroupedData.Indexing ix = data.index;
        float[] dpre = new float[dy.length];
        double[] slack = new double[dy.length];  // what an f32 SiLU derivative may add: 8 roundings of (1 + |pre|) |dy|
        for (int g = 0; g < ix.groups(); g++)
            for (int j = 0; j < ix.groupSize(); j++) {
                int o = ix.offset(g, j), ch = ix.channel(g, j);
                float pre = (data.tensor[o] - mean[g]) * rstd[g] * wb[0][ch] + wb[1][ch];
                dpre[o] = (float) (dy[o] * sh.activation().derivative(pre));
                if (!sh.batch()) slack[o] = 8 * TolerancePolicy.UNIT_ROUNDOFF * (1 + Math.abs(pre)) * Math.abs(dy[o]);
            }
        List<ParityResult.Check> plain = BackwardTolerance.checks(data, dpre, mean, rstd, wb[0], true, true,
                TolerancePolicy.precisionOf(backend), got, ref, c);
        double[] extra = derivativeSlack(data, mean, rstd, wb[0], slack, c);
        List<ParityResult.Check> checks = new ArrayList<>();
        for (int i = 0; i < plain.size(); i++) {
            ParityResult.Check p = plain.get(i);
            checks.add(new ParityResult.Check(p.output(), p.maxAbsErr(), p.tolerance() + extra[i]));
        }
        // REFERENCE's separate steps: the activation's gradient above, then the plain backward.
        try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
            Tensor x = r.data(data.tensor, shape), d = r.in(dpre, shape), w = r.in(wb[0], c);
            Tensor m = r.in(mean, stats), rs = r.in(rstd, stats), dx = r.out("dx", shape);
            if (sh.batch()) r.norms.batchNormBackward(x, d, layout, w, m, rs, dx, null, null);
            else r.norms.groupNormBackward(x, d, layout, groups, w, m, rs, dx, null, null);
            checks.add(Comparison.check("dx (the activation's gradient, then the norm's backward)", got.get("dx"),
                    r.read().get("dx"), checks.get(0).tolerance()));
        }
        return new ParityResult(sh.op(), "backward", "training", backend, layout.id(), shape, dtype, input, true,
                TolerancePolicy.withStorage(checks, dtype, ref), TolerancePolicy.claimsParity(backend, input, true));
    }

    /**
     * How far the dx, dweight and dbias bounds grow when each dpre may move by slack[o]: dx =
     * w rstd (dpre - mean(dpre) - xhat mean(dpre xhat)) moves by at most |w| rstd max(slack)
     * (2 + max xhat^2); dweight and dbias by the channel's sums of slack |xhat| and slack.
     */
    private static double[] derivativeSlack(GroupedData data, float[] mean, float[] rstd, float[] w, double[] slack,
            int channels) {
        GroupedData.Indexing ix = data.index;
        double dx = 0;
        double[] dw = new double[channels], db = new double[channels];
        for (int g = 0; g < ix.groups(); g++) {
            double maxSlack = 0, maxXhat = 0, maxW = 0;
            for (int j = 0; j < ix.groupSize(); j++) {
                int o = ix.offset(g, j), ch = ix.channel(g, j);
                double xhat = Math.abs((data.tensor[o] - mean[g]) * (double) rstd[g]);
                if (!Double.isFinite(xhat) || !Double.isFinite(slack[o])) continue;
                maxSlack = Math.max(maxSlack, slack[o]);
                maxXhat = Math.max(maxXhat, xhat);
                maxW = Math.max(maxW, Math.abs(w[ch]));
                dw[ch] += slack[o] * xhat;
                db[ch] += slack[o];
            }
            double groupDx = maxW * rstd[g] * maxSlack * (2 + maxXhat * maxXhat);
            if (Double.isFinite(groupDx)) dx = Math.max(dx, groupDx);  // non-finite groups are compared exactly
        }
        double dwMax = 0, dbMax = 0;
        for (int ch = 0; ch < channels; ch++) {
            dwMax = Math.max(dwMax, dw[ch]);
            dbMax = Math.max(dbMax, db[ch]);
        }
        return new double[] {dx, dwMax, dbMax};
    }
}
