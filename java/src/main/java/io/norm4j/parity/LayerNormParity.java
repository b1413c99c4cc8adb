package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.util.Random;

/** Runs one layer norm case on a backend and on REFERENCE and compares them. */
public final class LayerNormParity {
    private LayerNormParity() {}

    /**
     * @param training whether to run the training forward (which also saves mean and rstd)
     * @param seed fixes the input, weight and bias
     */
    public static ParityResult run(Backend backend, int rows, int cols, InputDistribution input, boolean affine,
            boolean training, long seed) {
        float[] xs = input.generate(rows, cols, seed);
        float[] ws = null;
        float[] bs = null;
        if (affine) {
            Random rnd = new Random(seed ^ 0x5DEECE66DL);
            ws = new float[cols];
            bs = new float[cols];
            for (int i = 0; i < cols; i++) {
                ws[i] = (float) (1 + 0.5 * rnd.nextGaussian());
                bs[i] = (float) (0.5 * rnd.nextGaussian());
            }
        }
        float eps = 1e-5f;
        Outputs ref = forward(Backend.REFERENCE, xs, ws, bs, rows, cols, eps, training);
        Outputs got = forward(backend, xs, ws, bs, rows, cols, eps, training);

        RowScales s = RowScales.of(xs, ws, bs, rows, cols, eps);
        double statErr = TolerancePolicy.statisticsError(TolerancePolicy.precisionOf(backend), cols, s.kappa);
        double tol = TolerancePolicy.outputTolerance(s.outputScale, s.maxAbsWeight, statErr);
        double meanErr = Double.NaN, meanTol = Double.NaN, rstdErr = Double.NaN, rstdTol = Double.NaN;
        if (training) {
            meanErr = Comparison.maxAbsError(got.mean, ref.mean);
            meanTol = TolerancePolicy.meanTolerance(s.maxAbsMean, s.maxStd, statErr);
            rstdErr = Comparison.maxAbsError(got.rstd, ref.rstd);
            rstdTol = TolerancePolicy.rstdTolerance(s.maxRstd, statErr);
        }
        return new ParityResult("layer_norm", "forward", training ? "training" : "inference", backend, "rows",
                new long[] {rows, cols}, input, affine, Comparison.maxAbsError(got.y, ref.y), tol, meanErr, meanTol,
                rstdErr, rstdTol, TolerancePolicy.claimsParity(backend, input));
    }

    private record Outputs(float[] y, float[] mean, float[] rstd) {}

    private static Outputs forward(Backend backend, float[] xs, float[] ws, float[] bs, int rows, int cols,
            float eps, boolean training) {
        long[] shape = {rows, cols};
        long[] normalized = {cols};
        try (Tensor x = Tensor.of(xs, shape);
                Tensor y = Tensor.allocate(shape);
                Tensor w = ws == null ? null : Tensor.of(ws, normalized);
                Tensor b = bs == null ? null : Tensor.of(bs, normalized);
                Tensor mean = Tensor.allocate(rows);
                Tensor rstd = Tensor.allocate(rows)) {
            Norms norms = Norms.on(backend);
            if (training) {
                norms.layerNormTraining(x, normalized, w, b, eps, y, mean, rstd);
                return new Outputs(y.toArray(), mean.toArray(), rstd.toArray());
            }
            norms.layerNorm(x, normalized, w, b, eps, y);
            return new Outputs(y.toArray(), null, null);
        }
    }

    /** The magnitudes the tolerances scale with, computed in double from the input itself. */
    private record RowScales(double outputScale, double maxAbsWeight, double kappa, double maxAbsMean, double maxStd,
            double maxRstd) {

        static RowScales of(float[] xs, float[] ws, float[] bs, int rows, int cols, float eps) {
            double scale = 0, kappa = 0, maxMean = 0, maxStd = 0, maxRstd = 0, maxW = 1;
            if (ws != null) {
                maxW = 0;
                for (float w : ws) maxW = Math.max(maxW, Math.abs(w));
            }
            for (int r = 0; r < rows; r++) {
                int base = r * cols;
                double sum = 0;
                for (int i = 0; i < cols; i++) sum += xs[base + i];
                double mean = sum / cols;
                double sq = 0;
                for (int i = 0; i < cols; i++) sq += (xs[base + i] - mean) * (xs[base + i] - mean);
                double std = Math.sqrt(sq / cols + eps);
                if (!Double.isFinite(std) || !Double.isFinite(mean)) continue; // NaN rows: compared exactly
                kappa = Math.max(kappa, Math.abs(mean) / std);
                maxMean = Math.max(maxMean, Math.abs(mean));
                maxStd = Math.max(maxStd, std);
                maxRstd = Math.max(maxRstd, 1 / std);
                for (int i = 0; i < cols; i++) {
                    double xhat = (xs[base + i] - mean) / std;
                    double v = Math.abs(xhat * (ws == null ? 1 : ws[i])) + (bs == null ? 0 : Math.abs(bs[i]));
                    scale = Math.max(scale, v);
                }
            }
            return new RowScales(scale, maxW, kappa, maxMean, maxStd, maxRstd);
        }
    }
}
