package io.norm4j.cli;

import io.norm4j.Backend;
import io.norm4j.Norms;
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
 * JMH over the CLI's bench cases (it lives in the CLI's package to reach them): every op,
 * direction, mode, layout and shape that `bench` times, on every backend, with the same tensors
 * and calls. The default labels are `bench`'s quick cases, as it prints them; any `bench --full`
 * case can be given with {@code -p label="instance_norm forward training nhwc 8x128x128x64"}.
 * A backend that lacks an op (ONEDNN's RMS norm backward) fails its setup with the reason.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class BenchCaseBenchmarks {
    @Param({
        "layer_norm forward inference rows 1x768",
        "layer_norm backward training rows 1x768",
        "rms_norm forward inference rows 1x768",
        "rms_norm backward training rows 1x768",
        "layer_norm forward inference rows 32x768",
        "layer_norm backward training rows 32x768",
        "rms_norm forward inference rows 32x768",
        "rms_norm backward training rows 32x768",
        "layer_norm forward inference rows 512x1024",
        "layer_norm backward training rows 512x1024",
        "rms_norm forward inference rows 512x1024",
        "rms_norm backward training rows 512x1024",
        "layer_norm forward inference rows 4096x1024",
        "layer_norm backward training rows 4096x1024",
        "batch_norm forward inference nchw 32x64x56x56",
        "batch_norm forward training nchw 32x64x56x56",
        "batch_norm backward training nchw 32x64x56x56",
        "batch_norm forward inference nhwc 32x56x56x64",
        "batch_norm forward training nhwc 32x56x56x64",
        "batch_norm backward training nhwc 32x56x56x64",
        "batch_norm forward inference nchw 128x1024",
        "batch_norm forward training nchw 128x1024",
        "batch_norm backward training nchw 128x1024",
        "group_norm forward training nchw 8x512x32x32",
        "group_norm backward training nchw 8x512x32x32",
        "group_norm forward training nhwc 8x32x32x512",
        "group_norm backward training nhwc 8x32x32x512"
    })
    public String label;

    @Param({"REFERENCE", "NATIVE", "ONEDNN"})
    public Backend backend;

    private BenchCases.Prepared prepared;

    @Setup(Level.Trial)
    public void setUp() {
        BenchCases.Case c = BenchCases.cases(true).stream()
                .filter(k -> BenchCommand.label(k).equals(label))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "no bench case '" + label + "'; `java -jar norm4j-cli.jar bench --full` prints them all"));
        Norms norms = Norms.on(backend);
        if (!c.runsOn(norms)) {
            throw new UnsupportedOperationException(backend + " does not run " + c.op() + " " + c.direction());
        }
        prepared = c.preparer().prepare(norms);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (prepared != null) prepared.close();
    }

    @Benchmark
    public void call() {
        prepared.run();
    }
}
