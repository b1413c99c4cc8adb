package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The residual add fused with layer norm or RMS norm, on a backend against REFERENCE's fused call
 * and against REFERENCE's separate calls (the add, then the plain norm on h). The grid's hard
 * inputs are h itself: each value is split into x + residual exactly (residual = 0.75 h rounded
 * to the storage type, x = h - residual, which Sterbenz's lemma makes exact in that type; x = h
 * and residual = 0 where h is not finite), so the add gives back h bit for bit and the norm's
 * tolerances, from h's statistics, apply as they are.
 */
public final class ResidualNormParity {
    private ResidualNormParity() {}

    private static final float EPS = RowNormParity.EPS;

    /** x and residual whose f32 (and stored-type) sum is exactly h. */
    private static float[][] split(float[] h, DType type) {
        float[] x = new float[h.length], r = new float[h.length];
        for (int i = 0; i < h.length; i++) {
            r[i] = Float.isFinite(h[i]) ? type.roundTrip(0.75f * h[i]) : 0f;
            x[i] = h[i] - r[i];
        }
        return new float[][] {x, r};
    }

    /** The weight a fused call scales by: offset + w in f32 (null without a weight). */
    private static float[] scale(float[] w, float offset) {
        if (w == null) return null;
        float[] s = new float[w.length];
        for (int j = 0; j < w.length; j++) s[j] = offset + w[j];
        return s;
    }

    /**
     * @param rms RMS norm (no centring, no bias) instead of layer norm
     * @param offset the weight offset (1 as Gemma's RMS norm; 0 as Llama's)
     */
    public static ParityResult run(Backend backend, long[] shape, boolean rms, InputDistribution input, boolean affine,
            float offset, boolean training, long seed, DType dtype) {
        long[] normalized = {shape[shape.length - 1]};
        int cols = Math.toIntExact(normalized[0]), rows = Math.toIntExact(numel(shape) / Math.max(cols, 1));
        GroupedData data = new GroupedData(new RowNormParity.Rows(rows, cols), input, seed, dtype);
        float[][] xr = split(data.tensor, dtype), wb = affine ? GroupedData.affine(cols, seed) : new float[][] {null, null};
        float[] w = wb[0], b = rms ? null : wb[1], effective = scale(w, affine ? offset : 0);
        float off = affine ? offset : 0;
        Function<Backend, Map<String, float[]>> fused = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                Tensor x = r.data(xr[0], shape), res = r.data(xr[1], shape), wt = r.in(w, normalized), bt = r.in(b, normalized);
                Tensor h = r.dataOut("h", shape), y = r.dataOut("y", shape);
                Tensor rstd = training ? r.out("rstd", rows) : null, mean = training && !rms ? r.out("mean", rows) : null;
                if (rms && training) r.norms.addRmsNormTraining(x, res, normalized, wt, off, EPS, h, y, rstd);
                else if (rms) r.norms.addRmsNorm(x, res, normalized, wt, off, EPS, h, y);
                else if (training) r.norms.addLayerNormTraining(x, res, normalized, wt, off, bt, EPS, h, y, mean, rstd);
                else r.norms.addLayerNorm(x, res, normalized, wt, off, bt, EPS, h, y);
                return r.read();
            }
        };
        Map<String, float[]> got = fused.apply(backend), ref = fused.apply(Backend.REFERENCE);
        Map<String, float[]> composed = composed(xr, shape, normalized, effective, b, rms, training, rows, dtype);

        List<ParityResult.Check> checks = RowNormParity.forwardChecks(backend, data, effective, b, rms, got, ref);
        checks.add(Comparison.check("y (add, then the norm)", got.get("y"), composed.get("y"), checks.get(0).tolerance()));
        checks.add(Comparison.check("h", got.get("h"), ref.get("h"), 0));
        return new ParityResult(rms ? "add_rms_norm" : "add_layer_norm", "forward", training ? "training" : "inference",
                backend, "rows", shape, dtype, input, affine, TolerancePolicy.withStorage(checks, dtype, ref),
                rms ? TolerancePolicy.claimsRmsNormParity(backend, input) : TolerancePolicy.claimsParity(backend, input, true));
    }

    /** REFERENCE's separate calls: the add on its own, then the plain norm on h with the offset weight. */
    private static Map<String, float[]> composed(float[][] xr, long[] shape, long[] normalized, float[] scale, float[] b,
            boolean rms, boolean training, int rows, DType dtype) {
        try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
            Tensor h = r.dataOut("h", shape), y = r.dataOut("y", shape), wt = r.in(scale, normalized);
            r.norms.add(r.data(xr[0], shape), r.data(xr[1], shape), h);
            Tensor rstd = training ? r.out("rstd", rows) : null, mean = training && !rms ? r.out("mean", rows) : null;
            if (rms && training) r.norms.rmsNormTraining(h, normalized, wt, EPS, y, rstd);
            else if (rms) r.norms.rmsNorm(h, normalized, wt, EPS, y);
            else if (training) r.norms.layerNormTraining(h, normalized, wt, r.in(b, normalized), EPS, y, mean, rstd);
            else r.norms.layerNorm(h, normalized, wt, r.in(b, normalized), EPS, y);
            return r.read();
        }
    }

    /**
     * Backward from the statistics REFERENCE's fused training forward saved, dy and dh ~ N(0, 1).
     * dx is the norm's dx plus dh, each side rounding that sum once: the norm's dx tolerance plus
     * two f32 roundings of dx's magnitude (and the storage type's, by withStorage).
     */
    public static ParityResult runBackward(Backend backend, long[] shape, boolean rms, InputDistribution input,
            boolean affine, float offset, long seed, DType dtype) {
        long[] normalized = {shape[shape.length - 1]};
        int cols = Math.toIntExact(normalized[0]), rows = Math.toIntExact(numel(shape) / Math.max(cols, 1));
        GroupedData data = new GroupedData(new RowNormParity.Rows(rows, cols), input, seed, dtype);
        float[][] xr = split(data.tensor, dtype);
        float[] w = affine ? GroupedData.affine(cols, seed)[0] : null;
        float off = affine ? offset : 0;
        float[] dy = GroupedData.stored(InputDistribution.NORMAL.generate(1, rows * cols, seed + 7), dtype);
        float[] dh = GroupedData.stored(InputDistribution.NORMAL.generate(1, rows * cols, seed + 11), dtype);
        float[] mean, rstd;
        try (BackendRun r = new BackendRun(Backend.REFERENCE, dtype)) {
            Tensor x = r.data(xr[0], shape), res = r.data(xr[1], shape), wt = r.in(w, normalized);
            Tensor h = r.dataOut("h", shape), y = r.dataOut("y", shape), rs = r.out("rstd", rows);
            if (rms) r.norms.addRmsNormTraining(x, res, normalized, wt, off, EPS, h, y, rs);
            else r.norms.addLayerNormTraining(x, res, normalized, wt, off, null, EPS, h, y, r.out("mean", rows), rs);
            Map<String, float[]> saved = r.read();
            mean = saved.get("mean");
            rstd = saved.get("rstd");
        }
        Function<Backend, Map<String, float[]>> call = be -> {
            try (BackendRun r = new BackendRun(be, dtype)) {
                Tensor h = r.data(data.tensor, shape), d = r.data(dy, shape), g = r.data(dh, shape), wt = r.in(w, normalized);
                Tensor dx = r.dataOut("dx", shape), dw = r.out("dweight", normalized);
                if (rms) r.norms.addRmsNormBackward(h, d, g, normalized, wt, off, r.in(rstd, rows), dx, dw);
                else r.norms.addLayerNormBackward(h, d, g, normalized, wt, off, r.in(mean, rows), r.in(rstd, rows), dx, dw,
                        r.out("dbias", normalized));
                return r.read();
            }
        };
        Map<String, float[]> got = call.apply(backend), ref = call.apply(Backend.REFERENCE);
        List<ParityResult.Check> checks = new ArrayList<>();
        for (ParityResult.Check c : BackwardTolerance.checks(data, dy, mean, rstd, scale(w, off), !rms, true,
                TolerancePolicy.precisionOf(backend), got, ref, cols)) {
            double sumRounding = c.output().equals("dx")
                    ? 2 * TolerancePolicy.UNIT_ROUNDOFF * Comparison.maxAbs(ref.get("dx")) : 0;
            checks.add(new ParityResult.Check(c.output(), c.maxAbsErr(), c.tolerance() + sumRounding));
        }
        return new ParityResult(rms ? "add_rms_norm" : "add_layer_norm", "backward", "training", backend, "rows", shape,
                dtype, input, affine, TolerancePolicy.withStorage(checks, dtype, ref),
                TolerancePolicy.claimsParity(backend, input, !rms));
    }

    private static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
