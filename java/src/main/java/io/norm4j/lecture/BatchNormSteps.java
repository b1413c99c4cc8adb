package io.norm4j.lecture;

import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Experiment 2: batch norm's four steps on a mini-batch of 4 samples and 3 features, written out
 * in double as the lecture states them (mini-batch mean, mini-batch variance, normalize, scale and
 * shift), and checked against norm4j's own batch norm call on the same batch.
 */
final class BatchNormSteps {
    private BatchNormSteps() {}

    static final float[] X = {1, 10, -2, 2, 30, 0, 3, 20, 2, 6, 60, 4};
    static final float[] GAMMA = {1, 2, 0.5f}, BETA = {0, 1, -1};
    static final double EPS = 1e-5;

    static Result run(Scale scale, PrintStream progress) {
        progress.println("lecture batchnorm-steps: the four steps on a batch of 4");
        int m = 4, c = 3;
        double[] mean = new double[c], var = new double[c];
        double[][] xhat = new double[m][c], out = new double[m][c];
        for (int j = 0; j < c; j++) {
            for (int i = 0; i < m; i++) mean[j] += X[i * c + j] / (double) m; // 1. mini-batch mean
            for (int i = 0; i < m; i++) var[j] += Math.pow(X[i * c + j] - mean[j], 2) / m; // 2. variance
            for (int i = 0; i < m; i++) {
                xhat[i][j] = (X[i * c + j] - mean[j]) / Math.sqrt(var[j] + EPS); // 3. normalize
                out[i][j] = GAMMA[j] * xhat[i][j] + BETA[j]; // 4. scale and shift
            }
        }
        float[] library;
        float[] savedMean;
        try (Tensor x = Tensor.of(X, m, c); Tensor y = Tensor.allocate(m, c); Tensor w = Tensor.of(GAMMA);
                Tensor b = Tensor.of(BETA); Tensor mu = Tensor.allocate(c); Tensor rstd = Tensor.allocate(c)) {
            Norms.auto().batchNormTraining(x, Layout.NCHW, null, null, w, b, 0.1, EPS, y, mu, rstd);
            library = y.toArray();
            savedMean = mu.toArray();
        }
        double maxDiff = 0, scaleOfOutput = 0;
        for (int i = 0; i < m; i++)
            for (int j = 0; j < c; j++) {
                maxDiff = Math.max(maxDiff, Math.abs(library[i * c + j] - out[i][j]));
                scaleOfOutput = Math.max(scaleOfOutput, Math.abs(out[i][j]));
            }
        // A few f32 roundings of the output's scale (the parity suite's bound: 8 units of 2^-24).
        double bound = 8 * 0x1p-24 * scaleOfOutput;
        List<String> lines = new ArrayList<>();
        lines.add("  x (4 samples x 3 features):");
        for (int i = 0; i < m; i++) lines.add("    " + row(X, i * c, c));
        lines.add("  1. mini-batch mean       " + row(mean));
        lines.add("  2. mini-batch variance   " + row(var));
        lines.add("  3. normalized (x - mean) / sqrt(var + eps):");
        for (double[] r : xhat) lines.add("    " + row(r));
        lines.add("  4. scaled and shifted, gamma " + row(toDouble(GAMMA)) + ", beta " + row(toDouble(BETA)) + ":");
        for (double[] r : out) lines.add("    " + row(r));
        lines.add(String.format("  norm4j's batchNormTraining: largest difference %.3g (bound %.3g), saved mean %s", maxDiff,
                bound, row(toDouble(savedMean))));
        boolean reproduced = maxDiff <= bound;
        Map<String, Object> numbers = new LinkedHashMap<>();
        numbers.put("mean", Result.list(mean));
        numbers.put("variance", Result.list(var));
        numbers.put("maxAbsDifference", maxDiff);
        numbers.put("bound", bound);
        return new Result("batchnorm-steps", "Batch norm in four steps",
                "Batch norm is four steps: the mini-batch mean, the mini-batch variance, normalizing with them,"
                        + " then scaling by gamma and shifting by beta; the library computes the same.",
                reproduced,
                reproduced ? "reproduces: the library matches the four steps within f32 rounding"
                        : "does not reproduce: the library differs from the four steps by " + maxDiff,
                lines, numbers, List.of());
    }

    private static double[] toDouble(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return d;
    }

    private static String row(float[] v, int from, int count) {
        double[] d = new double[count];
        for (int i = 0; i < count; i++) d[i] = v[from + i];
        return row(d);
    }

    private static String row(double[] v) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < v.length; i++) b.append(i == 0 ? "" : ", ").append(String.format("%8.4f", v[i]));
        return b.append(']').toString();
    }
}
