package io.norm4j.lecture;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Experiment 3 (Wu and He, 2018, at small scale): the same network with batch, group and layer
 * norm and with none, trained for the same epochs at batch sizes 32 down to 2; validation error
 * in evaluation mode (batch norm on its running statistics).
 */
final class BatchSize {
    private BatchSize() {}

    static final Norm[] NORMS = {Norm.BATCH, Norm.GROUP, Norm.LAYER, Norm.NONE};

    static Result run(Scale scale, PrintStream progress) {
        int[] sizes = scale == Scale.FULL ? new int[] {32, 16, 8, 4, 2} : new int[] {32, 2};
        int hidden = scale.pick(64, 32), epochs = scale.pick(6, 3);
        Data train = Data.teacher(scale.pick(2048, 768), 16, 4, 11), val = Data.teacher(1024, 16, 4, 12);
        Map<Norm, double[]> error = new LinkedHashMap<>();
        for (Norm norm : NORMS) {
            double[] e = new double[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                progress.printf("lecture batch-size: %s, batch size %d%n", norm.label, sizes[i]);
                Network net = new Network(new int[] {16, hidden, hidden, 4}, norm, true, new Random(5));
                Training.epochs(net, train, sizes[i], epochs, Optimizer.adam(1e-3), 7);
                e[i] = net.error(val.x(), val.labels(), val.n());
            }
            error.put(norm, e);
        }
        List<String> lines = new ArrayList<>();
        StringBuilder head = new StringBuilder(String.format("  %-12s", "batch size"));
        for (int s : sizes) head.append(String.format("%8d", s));
        lines.add(head.toString());
        Map<String, Object> numbers = new LinkedHashMap<>();
        Map<String, double[][]> series = new LinkedHashMap<>();
        double[] xs = new double[sizes.length];
        for (int i = 0; i < sizes.length; i++) xs[i] = sizes[i];
        for (Map.Entry<Norm, double[]> en : error.entrySet()) {
            StringBuilder b = new StringBuilder(String.format("  %-12s", en.getKey().label));
            for (double v : en.getValue()) b.append(String.format("%7.1f%%", 100 * v));
            lines.add(b.toString());
            numbers.put(en.getKey().label, Result.list(en.getValue()));
            series.put(en.getKey().label, new double[][] {xs, en.getValue().clone()});
        }
        numbers.put("batchSizes", Result.list(sizes));
        int last = sizes.length - 1;
        double bnRise = error.get(Norm.BATCH)[last] - error.get(Norm.BATCH)[0];
        double gnRise = error.get(Norm.GROUP)[last] - error.get(Norm.GROUP)[0];
        double gap = error.get(Norm.BATCH)[last] - error.get(Norm.GROUP)[last];
        // The lecture's claim, with a margin of 3 points of error so that noise alone does not pass.
        boolean reproduced = bnRise > gnRise + 0.03 && gap > 0.03;
        String verdict = String.format("%s: from batch %d to %d batch norm's error %+.1f points, group norm's %+.1f;"
                + " at batch %d batch norm is %.1f points %s group norm", reproduced ? "reproduces" : "does not reproduce here",
                sizes[0], sizes[last], 100 * bnRise, 100 * gnRise, sizes[last], 100 * Math.abs(gap), gap >= 0 ? "above" : "below");
        return new Result("batch-size", "Batch size: batch norm against group norm",
                "Batch norm degrades as the batch shrinks (its statistics get noisy and stop matching the running"
                        + " ones used at evaluation); group norm, and layer norm, do not depend on the batch.",
                reproduced, verdict, lines, numbers,
                List.of(new Result.Plot("batch-size.png", "Validation error against batch size", "batch size",
                        "validation error", true, false, series)));
    }
}
