package io.norm4j.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.internal.NDArrayEx;
import ai.djl.ndarray.types.Shape;
import io.norm4j.Backend;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import io.norm4j.parity.InputDistribution;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * NATIVE and ONEDNN against PyTorch's CPU kernels (through DJL) on layer norm and batch norm, all
 * timed in one run from Java, each call including its crossing into native code. PyTorch allocates
 * its output on every call (DJL has no out= form), which is part of what calling it from Java
 * costs; each output is closed right away. Before timing, every case checks that PyTorch computes
 * the same function (its largest difference from NATIVE is printed).
 *
 * <p>Run by {@code ci/peer-pytorch.sh}; never by the tests or CI.
 */
public final class PyTorchPeer {
    private PyTorchPeer() {}

    private static final float EPS = 1e-5f;

    /** One case: its label, shape, and how to call it on norm4j and on PyTorch. */
    private record PeerCase(String label, long[] shape, long channels, boolean rows, boolean training) {}

    public static void main(String[] args) {
        System.setProperty("ai.djl.offline", "true"); // the libraries come from the jar on the class path
        long budget = args.length > 0 ? Long.parseLong(args[0]) * 1_000_000L : 300_000_000L;
        List<PeerCase> cases = List.of(
                new PeerCase("layer_norm forward inference rows 1x768", new long[] {1, 768}, 768, true, false),
                new PeerCase("layer_norm forward inference rows 32x768", new long[] {32, 768}, 768, true, false),
                new PeerCase("layer_norm forward inference rows 512x1024", new long[] {512, 1024}, 1024, true, false),
                new PeerCase("layer_norm forward inference rows 4096x1024", new long[] {4096, 1024}, 1024, true, false),
                new PeerCase("batch_norm forward inference nchw 32x64x56x56", new long[] {32, 64, 56, 56}, 64, false, false),
                new PeerCase("batch_norm forward training nchw 32x64x56x56", new long[] {32, 64, 56, 56}, 64, false, true),
                new PeerCase("batch_norm forward inference nchw 128x1024", new long[] {128, 1024}, 1024, false, false),
                new PeerCase("batch_norm forward training nchw 128x1024", new long[] {128, 1024}, 1024, false, true));
        List<String> lines = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            System.out.println("PyTorch " + manager.getEngine().getVersion() + " through DJL, "
                    + io.norm4j.RuntimeInfo.threads() + " norm4j threads");
            for (PeerCase c : cases) lines.add(run(c, manager, budget));
        }
        System.out.println("Median ns per call from Java, one run (ratios: PyTorch time / norm4j time):");
        System.out.printf("  %-48s %12s %12s %12s %10s %10s %12s%n", "case", "native", "onednn", "pytorch",
                "pt/native", "pt/onednn", "max |diff|");
        lines.forEach(System.out::println);
    }

    private static String run(PeerCase c, NDManager manager, long budget) {
        System.err.println("peer " + c.label());
        int n = Math.toIntExact(numel(c.shape()));
        float[] xv = InputDistribution.NORMAL.generate(1, n, 1);
        float[] wv = InputDistribution.NORMAL.generate(1, Math.toIntExact(c.channels()), 2);
        float[] bv = InputDistribution.NORMAL.generate(1, Math.toIntExact(c.channels()), 3);
        double nativeNs, onednnNs = Double.NaN, torchNs, maxDiff;
        float[] nativeOut;
        try (Tensor x = Tensor.of(xv, c.shape())) {
            float[][] out = new float[1][];
            nativeNs = timeNorm4j(Backend.NATIVE, c, x, wv, bv, budget, out);
            nativeOut = out[0];
            if (Backend.ONEDNN.isAvailable()) onednnNs = timeNorm4j(Backend.ONEDNN, c, x, wv, bv, budget, out);
        }
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.create(FloatBuffer.wrap(xv), new Shape(c.shape()));
            NDArray w = m.create(wv), b = m.create(bv);
            NDArray rm = m.zeros(new Shape(c.channels())), rv = m.ones(new Shape(c.channels()));
            NDArrayEx ex = x.getNDArrayInternal();
            Function<Void, NDList> call = c.rows()
                    ? unused -> ex.layerNorm(x, new Shape(c.channels()), w, b, EPS)
                    : unused -> ex.batchNorm(x, rm, rv, w, b, 1, 0.1f, EPS, c.training());
            try (NDList first = call.apply(null)) {
                float[] torchOut = first.head().toFloatArray();
                maxDiff = 0;
                for (int i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(torchOut[i] - nativeOut[i]));
            }
            torchNs = Stopwatch.medianNanosPerCall(() -> call.apply(null).close(), budget);
        }
        return String.format("  %-48s %12.1f %12.1f %12.1f %9.2fx %9.2fx %12.2e", c.label(), nativeNs, onednnNs, torchNs,
                torchNs / nativeNs, torchNs / onednnNs, maxDiff);
    }

    /** Times c on backend b with the same tensors every call; out[0] receives the output. */
    private static double timeNorm4j(Backend backend, PeerCase c, Tensor x, float[] wv, float[] bv, long budget,
            float[][] out) {
        Norms norms = Norms.on(backend);
        long ch = c.channels();
        try (Tensor y = Tensor.allocate(c.shape()); Tensor w = Tensor.of(wv, ch); Tensor b = Tensor.of(bv, ch);
                Tensor rm = Tensor.allocate(ch); Tensor rv = Tensor.allocate(ch).fill(1f);
                Tensor mean = Tensor.allocate(ch); Tensor rstd = Tensor.allocate(ch)) {
            long[] normalized = {ch};
            Runnable call = c.rows() ? () -> norms.layerNorm(x, normalized, w, b, EPS, y)
                    : c.training() ? () -> norms.batchNormTraining(x, Layout.NCHW, rm, rv, w, b, 0.1, EPS, y, mean, rstd)
                    : () -> norms.batchNorm(x, Layout.NCHW, rm, rv, w, b, EPS, y);
            call.run();
            out[0] = y.toArray();
            return Stopwatch.medianNanosPerCall(call, budget);
        }
    }

    private static long numel(long[] s) {
        long n = 1;
        for (long d : s) n *= d;
        return n;
    }
}
