package io.norm4j.jmh;

import io.norm4j.Backend;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import io.norm4j.parity.InputDistribution;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmarks of the facade, one call per invocation with tensors prepared in setup, on every
 * backend. Run with ci/jmh.sh (the `jmh` Maven profile); `-prof gc` shows the allocation per call.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class NormBenchmarks {
    @Param({"REFERENCE", "NATIVE", "ONEDNN"})
    public Backend backend;

    /** rows x cols for layer norm; batch norm uses [N, C, H, W] = [rows / 16, 16, cols / 32, 32]. */
    @Param({"1x768", "32x768", "512x1024", "4096x1024"})
    public String shape;

    private Norms norms;
    private Tensor x, y, w, b, mean, rstd, dy, dx, dw, db, nchw, nchwY, cMean, cRstd, rm, rv;
    private long[] normalized;

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = shape.split("x");
        int rows = Integer.parseInt(p[0]), cols = Integer.parseInt(p[1]);
        norms = Norms.on(backend);
        normalized = new long[] {cols};
        x = Tensor.of(InputDistribution.NORMAL.generate(rows, cols, 1), rows, cols);
        dy = Tensor.of(InputDistribution.NORMAL.generate(rows, cols, 2), rows, cols);
        y = Tensor.allocate(rows, cols);
        dx = Tensor.allocate(rows, cols);
        w = Tensor.allocate(cols).fill(1.5f);
        b = Tensor.allocate(cols).fill(0.25f);
        dw = Tensor.allocate(cols);
        db = Tensor.allocate(cols);
        mean = Tensor.allocate(rows);
        rstd = Tensor.allocate(rows);
        norms.layerNormTraining(x, normalized, w, b, 1e-5, y, mean, rstd);
        long n = Math.max(1, rows / 16), h = Math.max(1, cols / 32);
        nchw = Tensor.of(InputDistribution.NORMAL.generate(1, (int) (n * 16 * h * 32), 3), n, 16, h, 32);
        nchwY = Tensor.allocate(n, 16, h, 32);
        cMean = Tensor.allocate(16);
        cRstd = Tensor.allocate(16);
        rm = Tensor.allocate(16);
        rv = Tensor.allocate(16).fill(1f);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, y, w, b, mean, rstd, dy, dx, dw, db, nchw, nchwY, cMean, cRstd, rm, rv}) t.close();
    }

    @Benchmark
    public void layerNormForward() {
        norms.layerNorm(x, normalized, w, b, 1e-5, y);
    }

    @Benchmark
    public void layerNormBackward() {
        norms.layerNormBackward(x, dy, normalized, w, mean, rstd, dx, dw, db);
    }

    @Benchmark
    public void batchNormTraining() {
        norms.batchNormTraining(nchw, Layout.NCHW, rm, rv, null, null, 0.1, 1e-5, nchwY, cMean, cRstd);
    }
}
