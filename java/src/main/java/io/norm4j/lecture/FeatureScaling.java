package io.norm4j.lecture;

import io.norm4j.Layout;
import io.norm4j.MinMaxScaler;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Experiment 1: gradient descent on a linear regression whose two features differ in scale by
 * 1000x, raw, min-max scaled (norm4j's MinMaxScaler) and standardized (norm4j's batch norm over
 * the whole data set, without affine). Each run takes the largest step size that is stable for its
 * own features (1 / L, L the largest eigenvalue of the loss's Hessian), as a tuned run would.
 */
final class FeatureScaling {
    private FeatureScaling() {}

    /** A run reaches the target once its loss is within 1% of the gap between the start and the optimum. */
    static final double TARGET_FRACTION = 0.01;

    static Result run(Scale scale, PrintStream progress) {
        int n = 256, maxSteps = scale.pick(20_000, 4_000);
        Random rnd = new Random(1);
        float[] x = new float[n * 2], y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = rnd.nextFloat();
            x[2 * i + 1] = 1000 * rnd.nextFloat();
            y[i] = (float) (3 * x[2 * i] + 0.002 * x[2 * i + 1] + 1 + 0.1 * rnd.nextGaussian());
        }
        Map<String, float[]> variants = new LinkedHashMap<>();
        variants.put("raw", x);
        variants.put("min-max", minMax(x, n));
        variants.put("standardized", standardized(x, n));
        List<String> lines = new ArrayList<>();
        Map<String, Object> numbers = new LinkedHashMap<>();
        Map<String, double[][]> curves = new LinkedHashMap<>();
        lines.add(String.format("  %-13s %12s %10s %12s", "features", "step size", "steps", "final loss"));
        Map<String, Integer> steps = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> v : variants.entrySet()) {
            progress.printf("lecture scaling: gradient descent on %s features%n", v.getKey());
            double[][] design = design(v.getValue(), n);
            double lr = 1 / largestEigenvalue(design, n);
            double best = optimumLoss(design, y, n);
            double[] w = new double[3];
            double start = loss(design, y, n, w), target = best + TARGET_FRACTION * (start - best);
            int reached = -1;
            List<double[]> curve = new ArrayList<>();
            for (int t = 0; t <= maxSteps; t++) {
                double l = loss(design, y, n, w);
                if (t % Math.max(1, maxSteps / 400) == 0 || t < 50) curve.add(new double[] {t, Math.max(l - best, 1e-12)});
                if (l <= target) {
                    reached = t;
                    break;
                }
                double[] g = gradient(design, y, n, w);
                for (int k = 0; k < 3; k++) w[k] -= lr * g[k];
            }
            steps.put(v.getKey(), reached);
            double fin = loss(design, y, n, w);
            lines.add(String.format("  %-13s %12.3g %10s %12.5g", v.getKey(), lr, reached < 0 ? "> " + maxSteps : reached, fin));
            numbers.put(v.getKey(), Map.of("stepSize", lr, "steps", reached, "finalLoss", fin, "optimumLoss", best));
            curves.put(v.getKey(), new double[][] {curve.stream().mapToDouble(p -> p[0]).toArray(),
                curve.stream().mapToDouble(p -> p[1]).toArray()});
        }
        int raw = steps.get("raw"), mm = steps.get("min-max"), st = steps.get("standardized");
        boolean scaledFast = mm >= 0 && st >= 0;
        boolean reproduced = scaledFast && (raw < 0 || raw > 10 * Math.max(mm, st));
        String verdict = reproduced
                ? String.format("reproduces: raw features %s, min-max %d steps, standardized %d",
                        raw < 0 ? "did not reach the target in " + maxSteps + " steps" : "took " + raw + " steps", mm, st)
                : "does not reproduce here: raw " + raw + ", min-max " + mm + ", standardized " + st + " steps";
        return new Result("scaling", "Feature scaling",
                "Features whose scales differ by 1000x make gradient descent crawl; min-max scaling or"
                        + " standardizing them lets it reach the same loss in far fewer steps.",
                reproduced, verdict, lines, numbers,
                List.of(new Result.Plot("scaling.png", "Gradient descent: loss above the optimum", "step",
                        "loss - optimum", false, true, curves)));
    }

    private static float[] minMax(float[] x, int n) {
        try (MinMaxScaler s = new MinMaxScaler(2); Tensor t = Tensor.of(x, n, 2)) {
            s.fit(t);
            try (Tensor out = s.transform(t)) {
                return out.toArray();
            }
        }
    }

    /** z-scores per feature: batch norm's training forward over all rows, no affine, eps 0. */
    private static float[] standardized(float[] x, int n) {
        try (Tensor t = Tensor.of(x, n, 2); Tensor out = Tensor.allocate(n, 2); Tensor mean = Tensor.allocate(2);
                Tensor rstd = Tensor.allocate(2)) {
            Norms.auto().batchNormTraining(t, Layout.NCHW, null, null, null, null, 0.1, 0, out, mean, rstd);
            return out.toArray();
        }
    }

    /** Rows [1, x1, x2] in double. */
    private static double[][] design(float[] x, int n) {
        double[][] d = new double[n][];
        for (int i = 0; i < n; i++) d[i] = new double[] {1, x[2 * i], x[2 * i + 1]};
        return d;
    }

    /** Half the mean squared error. */
    static double loss(double[][] d, float[] y, int n, double[] w) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double e = d[i][0] * w[0] + d[i][1] * w[1] + d[i][2] * w[2] - y[i];
            s += e * e;
        }
        return s / (2 * n);
    }

    private static double[] gradient(double[][] d, float[] y, int n, double[] w) {
        double[] g = new double[3];
        for (int i = 0; i < n; i++) {
            double e = d[i][0] * w[0] + d[i][1] * w[1] + d[i][2] * w[2] - y[i];
            for (int k = 0; k < 3; k++) g[k] += e * d[i][k] / n;
        }
        return g;
    }

    /** The Hessian X^T X / n. */
    private static double[][] hessian(double[][] d, int n) {
        double[][] h = new double[3][3];
        for (double[] r : d)
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) h[a][b] += r[a] * r[b] / n;
        return h;
    }

    /** Power iteration on the Hessian. */
    private static double largestEigenvalue(double[][] d, int n) {
        double[][] h = hessian(d, n);
        double[] v = {1, 1, 1};
        double lambda = 0;
        for (int it = 0; it < 500; it++) {
            double[] u = new double[3];
            for (int a = 0; a < 3; a++) for (int b = 0; b < 3; b++) u[a] += h[a][b] * v[b];
            lambda = Math.sqrt(u[0] * u[0] + u[1] * u[1] + u[2] * u[2]);
            for (int a = 0; a < 3; a++) v[a] = u[a] / lambda;
        }
        return lambda;
    }

    /** The least-squares optimum's loss, from the normal equations (Cramer's rule on 3 x 3). */
    private static double optimumLoss(double[][] d, float[] y, int n) {
        double[][] h = hessian(d, n);
        double[] r = new double[3];
        for (int i = 0; i < n; i++) for (int k = 0; k < 3; k++) r[k] += d[i][k] * y[i] / n;
        double det = det(h);
        double[] w = new double[3];
        for (int k = 0; k < 3; k++) {
            double[][] m = {h[0].clone(), h[1].clone(), h[2].clone()};
            for (int a = 0; a < 3; a++) m[a][k] = r[a];
            w[k] = det(m) / det;
        }
        return loss(d, y, n, w);
    }

    private static double det(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }
}
