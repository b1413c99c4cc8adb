package io.norm4j.lecture;

import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Experiment 5: synthetic 8 x 8 images, each one of four patterns times its own contrast (0.2 to 5)
 * plus its own brightness (-2 to 2). Instance norm normalizes each image with its own statistics,
 * which removes both; batch norm uses the whole batch's, which keeps the spread between images.
 * Measured: how much the per-image standard deviation varies (its coefficient of variation), and
 * how far two images of one pattern end up apart.
 */
final class InstanceContrast {
    private InstanceContrast() {}

    static final int SIDE = 8, PIXELS = SIDE * SIDE, PATTERNS = 4;

    static Result run(Scale scale, PrintStream progress) {
        progress.println("lecture instance-norm: per-image contrast and brightness");
        int n = scale.pick(256, 32);
        Random rnd = new Random(4);
        float[][] patterns = new float[PATTERNS][PIXELS];
        for (float[] p : patterns) for (int i = 0; i < PIXELS; i++) p[i] = (float) rnd.nextGaussian();
        float[] images = new float[n * PIXELS];
        int[] pattern = new int[n];
        for (int k = 0; k < n; k++) {
            pattern[k] = k % PATTERNS;
            double contrast = 0.2 + 4.8 * rnd.nextDouble(), brightness = -2 + 4 * rnd.nextDouble();
            for (int i = 0; i < PIXELS; i++) images[k * PIXELS + i] = (float) (contrast * patterns[pattern[k]][i] + brightness);
        }
        float[] in, bn;
        try (Tensor x = Tensor.of(images, n, 1, SIDE, SIDE); Tensor yi = Tensor.allocate(n, 1, SIDE, SIDE);
                Tensor yb = Tensor.allocate(n, 1, SIDE, SIDE); Tensor m = Tensor.allocate(1); Tensor r = Tensor.allocate(1)) {
            Norms.auto().instanceNorm(x, Layout.NCHW, null, null, 1e-5, yi);
            Norms.auto().batchNormTraining(x, Layout.NCHW, null, null, null, null, 0.1, 1e-5, yb, m, r);
            in = yi.toArray();
            bn = yb.toArray();
        }
        double[] cv = {spreadOfStd(images, n), spreadOfStd(in, n), spreadOfStd(bn, n)};
        double[] apart = {samePatternDistance(images, pattern, n), samePatternDistance(in, pattern, n),
            samePatternDistance(bn, pattern, n)};
        List<String> lines = new ArrayList<>();
        lines.add(String.format("  %-14s %28s %34s", "images", "per-image std: coeff. of var.", "same pattern: largest RMS distance"));
        String[] names = {"raw", "instance norm", "batch norm"};
        Map<String, Object> numbers = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            lines.add(String.format("  %-14s %28.4f %34.4f", names[i], cv[i], apart[i]));
            numbers.put(names[i], Map.of("stdCoefficientOfVariation", cv[i], "samePatternDistance", apart[i]));
        }
        boolean reproduced = cv[1] < 0.01 && apart[1] < 0.01 && cv[2] > 0.5 * cv[0] && apart[2] > 0.1;
        String verdict = String.format("%s: after instance norm the per-image std varies by %.2g%% and images of one"
                + " pattern are %.2g apart; after batch norm %.0f%% and %.2f", reproduced ? "reproduces" : "does not reproduce",
                100 * cv[1], apart[1], 100 * cv[2], apart[2]);
        return new Result("instance-norm", "Instance norm removes per-image contrast",
                "Instance norm removes each image's contrast and brightness (it normalizes every image with its own"
                        + " statistics); batch norm, with the batch's statistics, does not.",
                reproduced, verdict, lines, numbers, List.of());
    }

    private static double[] stdPerImage(float[] v, int n) {
        double[] s = new double[n];
        for (int k = 0; k < n; k++) {
            double mean = 0, sq = 0;
            for (int i = 0; i < PIXELS; i++) mean += v[k * PIXELS + i] / (double) PIXELS;
            for (int i = 0; i < PIXELS; i++) sq += Math.pow(v[k * PIXELS + i] - mean, 2) / PIXELS;
            s[k] = Math.sqrt(sq);
        }
        return s;
    }

    /** Standard deviation over mean of the per-image standard deviations. */
    static double spreadOfStd(float[] v, int n) {
        double[] s = stdPerImage(v, n);
        double mean = 0, sq = 0;
        for (double x : s) mean += x / n;
        for (double x : s) sq += (x - mean) * (x - mean) / n;
        return Math.sqrt(sq) / mean;
    }

    /** The largest RMS distance between two images of the same pattern. */
    static double samePatternDistance(float[] v, int[] pattern, int n) {
        double worst = 0;
        for (int a = 0; a < n; a++)
            for (int b = a + 1; b < n; b++) {
                if (pattern[a] != pattern[b]) continue;
                double d = 0;
                for (int i = 0; i < PIXELS; i++) d += Math.pow(v[a * PIXELS + i] - v[b * PIXELS + i], 2) / PIXELS;
                worst = Math.max(worst, Math.sqrt(d));
            }
        return worst;
    }
}
