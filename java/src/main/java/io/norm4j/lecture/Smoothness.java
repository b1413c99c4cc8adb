package io.norm4j.lecture;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Experiment 4 (Santurkar et al., 2018): along the training trajectory, how much the loss and the
 * gradient change when stepping along the gradient, without a norm, with batch norm, and with
 * batch norm followed by injected covariate shift (a random per-channel scale and shift drawn at
 * every step). At each measured step, with g the batch gradient at w and steps s = k * lr for k in
 * {0.5, 1, 2, 4}: the loss range is max - min of L(w - s g) (with L(w)), the gradient change is the
 * largest |grad L(w) - grad L(w - s g)|.
 */
final class Smoothness {
    private Smoothness() {}

    static final Norm[] NORMS = {Norm.NONE, Norm.BATCH, Norm.NOISY_BATCH};
    static final double[] STEP_MULTIPLES = {0.5, 1, 2, 4};
    static final double LR = 0.1;

    static Result run(Scale scale, PrintStream progress) {
        int steps = scale.pick(600, 300), every = scale.pick(30, 25), hidden = 64, batch = 64;
        Data train = Data.teacher(scale.pick(4096, 2048), 16, 4, 21);
        Map<Norm, double[][]> curves = new LinkedHashMap<>(); // per norm: step, loss range, gradient change
        Map<Norm, Double> finalLoss = new LinkedHashMap<>();
        for (Norm norm : NORMS) {
            progress.printf("lecture smoothness: %s, %d steps%n", norm.label, steps);
            Network net = new Network(new int[] {16, hidden, hidden, hidden, 4}, norm, false, new Random(3));
            Optimizer sgd = Optimizer.sgd(LR);
            Random rnd = new Random(9);
            int[] order = train.shuffled(rnd);
            int perEpoch = train.n() / batch;
            List<double[]> points = new ArrayList<>();
            for (int t = 0; t < steps; t++) {
                if (t > 0 && t % perEpoch == 0) order = train.shuffled(rnd);
                Data b = train.batch(order, (t % perEpoch) * batch, batch);
                double l0 = net.lossAndGradients(b.x(), b.labels(), batch);
                if (t % every == 0) points.add(measure(net, b, l0, t));
                sgd.step(net.params());
            }
            finalLoss.put(norm, Training.loss(net, train));
            curves.put(norm, new double[][] {points.stream().mapToDouble(p -> p[0]).toArray(),
                points.stream().mapToDouble(p -> p[1]).toArray(), points.stream().mapToDouble(p -> p[2]).toArray()});
        }
        List<String> lines = new ArrayList<>();
        lines.add(String.format("  %-18s %16s %18s %16s", "network", "loss range (mean)", "gradient change (mean)", "final train loss"));
        Map<String, Object> numbers = new LinkedHashMap<>();
        Map<Norm, double[]> means = new LinkedHashMap<>();
        for (Norm norm : NORMS) {
            double[][] c = curves.get(norm);
            double lr = mean(c[1]), gc = mean(c[2]);
            means.put(norm, new double[] {lr, gc});
            lines.add(String.format("  %-18s %16.4g %18.4g %16.4f", norm.label, lr, gc, finalLoss.get(norm)));
            numbers.put(norm.label, Map.of("meanLossRange", lr, "meanGradientChange", gc, "finalTrainLoss", finalLoss.get(norm)));
        }
        boolean smoother = means.get(Norm.BATCH)[0] < means.get(Norm.NONE)[0];
        boolean predictive = means.get(Norm.BATCH)[1] < means.get(Norm.NONE)[1];
        boolean noisyTrains = finalLoss.get(Norm.NOISY_BATCH) < finalLoss.get(Norm.NONE);
        boolean reproduced = smoother && predictive && noisyTrains;
        String verdict = (reproduced ? "reproduces" : "does not fully reproduce here") + ": batch norm's loss range is "
                + (smoother ? "smaller" : "not smaller") + " and its gradient change " + (predictive ? "smaller" : "not smaller")
                + " than without a norm; with injected covariate shift its final training loss is "
                + (noisyTrains ? "still below" : "not below") + " the network without a norm's";
        Map<String, double[][]> ranges = new LinkedHashMap<>(), changes = new LinkedHashMap<>();
        for (Norm norm : NORMS) {
            double[][] c = curves.get(norm);
            ranges.put(norm.label, new double[][] {c[0], c[1]});
            changes.put(norm.label, new double[][] {c[0], c[2]});
        }
        return new Result("smoothness", "Smoothness: what batch norm changes",
                "Batch norm makes the loss landscape smoother: along the gradient the loss and the gradient"
                        + " change less, so larger steps stay predictive; and it keeps working when covariate shift"
                        + " is injected after it, so reducing internal covariate shift is not what it does.",
                reproduced, verdict, lines, numbers,
                List.of(new Result.Plot("smoothness-loss.png", "Loss range along the gradient", "training step",
                        "max - min of L(w - s g)", false, true, ranges),
                        new Result.Plot("smoothness-gradient.png", "Gradient change along the gradient", "training step",
                                "max |grad L(w) - grad L(w - s g)|", false, true, changes)));
    }

    /** {step, loss range, gradient change} at w, whose loss on b is l0 and gradients are current. */
    private static double[] measure(Network net, Data b, double l0, int step) {
        float[][] w = net.values(), g = net.gradients();
        double lo = l0, hi = l0, change = 0;
        for (double k : STEP_MULTIPLES) {
            net.set(w, -k * LR, g);
            double l = net.lossAndGradients(b.x(), b.labels(), b.n());
            lo = Math.min(lo, l);
            hi = Math.max(hi, l);
            float[][] g2 = net.gradients();
            double d = 0;
            for (int i = 0; i < g.length; i++) for (int j = 0; j < g[i].length; j++) d += Math.pow(g[i][j] - g2[i][j], 2);
            change = Math.max(change, Math.sqrt(d));
        }
        net.set(w, 0, g);
        net.lossAndGradients(b.x(), b.labels(), b.n()); // the gradients at w again, for the step
        return new double[] {step, hi - lo, change};
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return s / v.length;
    }
}
