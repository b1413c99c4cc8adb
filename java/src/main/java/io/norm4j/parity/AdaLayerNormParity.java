package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Adaptive layer norm on a backend against REFERENCE's, and against REFERENCE's plain layer norm
 * followed by the modulation as its own f32 pass. The modulation is a per-sample weight {@code 1 +
 * scale[n]} and bias {@code shift[n]}: the layer norm tolerances apply with those as the weight
 * and bias of each row's channel.
 */
public final class AdaLayerNormParity {
    private AdaLayerNormParity() {}

    private static final float EPS = RowNormParity.EPS;

    /** Rows of D values; the weight of value k of row g is sample (g / T)'s k-th. */
    private record SampleRows(int groups, int groupSize, int tokens) implements GroupedData.Indexing {
        public int offset(int g, int k) {
            return g * groupSize + k;
        }

        public int channel(int g, int k) {
            return (g / tokens) * groupSize + k;
        }
    }

    /** Per-sample scale N(0, 0.5) (a modulation about 1), shift N(0, 0.5), and the weight 1 + scale: fixed by the seed. */
    private static float[][] modulation(int values, long seed) {
        float[][] sb = GroupedData.affine(values, seed);
        float[] scale = new float[values], weight = new float[values];
        for (int i = 0; i < values; i++) {
            scale[i] = sb[0][i] - 1f;
            weight[i] = 1f + scale[i];
        }
        return new float[][] {scale, sb[1], weight};
    }

    /** x [n, t, d], modulated as {@link #modulation} gives. */
    public static ParityResult run(Backend backend, int n, int t, int d, InputDistribution input, boolean training,
            long seed, DType dtype) {
        long[] shape = {n, t, d}, perSample = {n, d}, perRow = {n, t};
        GroupedData data = new GroupedData(new SampleRows(n * t, d, t), input, seed, dtype);
        float[][] m = modulation(n * d, seed);
        float[] scale = m[0], shift = m[1], weight = m[2];
        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                Tensor x = r.data(data.tensor, shape), y = r.dataOut("y", shape);
                Tensor sc = r.in(scale, perSample), sh = r.in(shift, perSample);
                if (training) r.norms.adaLayerNormTraining(x, sc, sh, EPS, y, r.out("mean", perRow), r.out("rstd", perRow));
                else r.norms.adaLayerNorm(x, sc, sh, EPS, y);
                return r.read();
            }
        };
        Map<String, float[]> got = call.apply(backend), ref = call.apply(Backend.REFERENCE);
        List<ParityResult.Check> checks = RowNormParity.forwardChecks(backend, data, weight, shift, false, got, ref);
        // The modulation as its own pass rounds the normalized value, its product and its sum: three
        // f32 roundings of the output's scale beyond the fused call's bound.
        float[] modulated = modulatedAfterThePlainNorm(data, shape, dtype, scale, shift, n, t, d);
        double extra = 3 * TolerancePolicy.UNIT_ROUNDOFF * Comparison.maxAbs(ref.get("y"));
        checks.add(Comparison.check("y (the norm, then the modulation)", got.get("y"), modulated,
                checks.get(0).tolerance() + extra));
        return new ParityResult("ada_layer_norm", "forward", training ? "training" : "inference", backend, "rows", shape,
                dtype, input, true, TolerancePolicy.withStorage(checks, dtype, ref),
                TolerancePolicy.claimsParity(backend, input, true));
    }

    private static float[] modulatedAfterThePlainNorm(GroupedData data, long[] shape, DType dtype, float[] scale,
            float[] shift, int n, int t, int d) {
        try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
            Tensor y = r.dataOut("y", shape);
            r.norms.layerNorm(r.data(data.tensor, shape), new long[] {d}, null, null, EPS, y);
            float[] v = r.read().get("y");
            for (int i = 0; i < v.length; i++) {
                int s = i / (t * d), j = i % d;
                v[i] = v[i] * (1f + scale[s * d + j]) + shift[s * d + j];
            }
            return v;
        }
    }

    /** Backward from REFERENCE's saved statistics, dy ~ N(0, 1): dx, dscale and dshift. */
    public static ParityResult runBackward(Backend backend, int n, int t, int d, InputDistribution input, long seed,
            DType dtype) {
        long[] shape = {n, t, d}, perSample = {n, d}, perRow = {n, t};
        GroupedData data = new GroupedData(new SampleRows(n * t, d, t), input, seed, dtype);
        float[][] m = modulation(n * d, seed);
        float[] scale = m[0], weight = m[2];
        float[] dy = GroupedData.stored(InputDistribution.NORMAL.generate(1, n * t * d, seed + 7), dtype);
        float[] mean, rstd;
        try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
            Tensor sc = r.in(scale, perSample), zero = r.in(new float[n * d], perSample);
            r.norms.adaLayerNormTraining(r.data(data.tensor, shape), sc, zero, EPS, r.dataOut("y", shape),
                    r.out("mean", perRow), r.out("rstd", perRow));
            Map<String, float[]> saved = r.read();
            mean = saved.get("mean");
            rstd = saved.get("rstd");
        }
        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                r.norms.adaLayerNormBackward(r.data(data.tensor, shape), r.data(dy, shape), r.in(scale, perSample),
                        r.in(mean, perRow), r.in(rstd, perRow), r.dataOut("dx", shape), r.out("dweight", perSample),
                        r.out("dbias", perSample));
                return r.read();
            }
        };
        Map<String, float[]> got = call.apply(backend), ref = call.apply(Backend.REFERENCE);
        List<ParityResult.Check> checks = new ArrayList<>();
        for (ParityResult.Check c : BackwardTolerance.checks(data, dy, mean, rstd, weight, true, true,
                TolerancePolicy.precisionOf(backend), got, ref, n * d)) {
            String name = c.output().equals("dweight") ? "dscale" : c.output().equals("dbias") ? "dshift" : c.output();
            checks.add(new ParityResult.Check(name, c.maxAbsErr(), c.tolerance()));
        }
        return new ParityResult("ada_layer_norm", "backward", "training", backend, "rows", shape, dtype, input, true,
                TolerancePolicy.withStorage(checks, dtype, ref), TolerancePolicy.claimsParity(backend, input, true));
    }
}
