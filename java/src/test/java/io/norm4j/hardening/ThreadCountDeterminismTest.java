package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.norm4j.Backend;
import io.norm4j.BackendVariant;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.RuntimeInfo;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * NATIVE gives the same bits for any thread count and from run to run: large calls of every op
 * and direction (big enough to be split) on 1, 2 and 3 threads, with each kernel set.
 */
class ThreadCountDeterminismTest {
    private static List<Function<Norms, float[]>> largeCalls() {
        List<Function<Norms, float[]>> calls = new ArrayList<>();
        calls.add(n -> {
            try (Tensor x = Workload.data(300, 1024); Tensor y = Tensor.allocate(300, 1024); Tensor m = Tensor.allocate(300);
                    Tensor r = Tensor.allocate(300); Tensor dy = Workload.data(300, 1024); Tensor dx = Tensor.allocate(300, 1024);
                    Tensor dw = Tensor.allocate(1024); Tensor db = Tensor.allocate(1024)) {
                n.layerNormTraining(x, new long[] {1024}, null, null, 1e-5, y, m, r);
                n.layerNormBackward(x, dy, new long[] {1024}, null, m, r, dx, dw, db);
                return Workload.concat(y, m, r, dx, dw, db);
            }
        });
        calls.add(n -> {
            // Rows are shared out by the thread count, a share's first row summed on its own and
            // every other with the previous row's output: the sums must agree to the bit.
            try (Tensor x = Workload.data(301, 1000); Tensor w = Workload.data(1000); Tensor y = Tensor.allocate(301, 1000);
                    Tensor r = Tensor.allocate(301); Tensor dy = Workload.data(301, 1000); Tensor dx = Tensor.allocate(301, 1000);
                    Tensor dw = Tensor.allocate(1000)) {
                n.rmsNormTraining(x, new long[] {1000}, w, 1e-5, y, r);
                n.rmsNormBackward(x, dy, new long[] {1000}, w, r, dx, dw);
                return Workload.concat(y, r, dx, dw);
            }
        });
        calls.add(n -> {
            // Rows past 2048 values: forward in two passes per row, backward sums in column blocks
            // over groups of rows, with a partial last group.
            try (Tensor x = Workload.data(100, 3000); Tensor w = Workload.data(3000); Tensor b = Workload.data(3000);
                    Tensor y = Tensor.allocate(100, 3000); Tensor m = Tensor.allocate(100); Tensor r = Tensor.allocate(100);
                    Tensor dy = Workload.data(100, 3000); Tensor dx = Tensor.allocate(100, 3000);
                    Tensor dw = Tensor.allocate(3000); Tensor db = Tensor.allocate(3000)) {
                n.layerNormTraining(x, new long[] {3000}, w, b, 1e-5, y, m, r);
                n.layerNormBackward(x, dy, new long[] {3000}, w, m, r, dx, dw, db);
                return Workload.concat(y, m, r, dx, dw, db);
            }
        });
        for (Layout layout : Layout.values()) {
            long[] shape = layout == Layout.NCHW ? new long[] {16, 24, 30, 30} : new long[] {16, 30, 30, 24};
            calls.add(n -> {
                try (Tensor x = Workload.data(shape); Tensor y = Tensor.allocate(shape); Tensor m = Tensor.allocate(24);
                        Tensor r = Tensor.allocate(24); Tensor dy = Workload.data(shape); Tensor dx = Tensor.allocate(shape);
                        Tensor dw = Tensor.allocate(24); Tensor db = Tensor.allocate(24)) {
                    n.batchNormTraining(x, layout, null, null, null, null, 0.1, 1e-5, y, m, r);
                    n.batchNormBackward(x, dy, layout, null, m, r, dx, dw, db);
                    return Workload.concat(y, m, r, dx, dw, db);
                }
            });
            calls.add(n -> {
                try (Tensor x = Workload.data(shape); Tensor y = Tensor.allocate(shape); Tensor m = Tensor.allocate(16, 6);
                        Tensor r = Tensor.allocate(16, 6); Tensor dy = Workload.data(shape); Tensor dx = Tensor.allocate(shape);
                        Tensor dw = Tensor.allocate(24); Tensor db = Tensor.allocate(24)) {
                    n.groupNormTraining(x, layout, 6, null, null, 1e-5, y, m, r);
                    n.groupNormBackward(x, dy, layout, 6, null, m, r, dx, dw, db);
                    return Workload.concat(y, m, r, dx, dw, db);
                }
            });
        }
        calls.add(n -> {
            // Channels-first batch norm backward larger than the last-level cache: summed plane by
            // plane in memory order, the planes' partial sums then added per channel.
            long[] shape = {5, 67, 113, 111};
            try (Tensor x = Workload.data(shape); Tensor m = Tensor.allocate(67); Tensor r = Tensor.allocate(67);
                    Tensor dy = Workload.data(shape); Tensor dx = Tensor.allocate(shape); Tensor dw = Tensor.allocate(67);
                    Tensor db = Tensor.allocate(67)) {
                n.batchNormTraining(x, Layout.NCHW, null, null, null, null, 0.1, 1e-5, dx, m, r);
                n.batchNormBackward(x, dy, Layout.NCHW, null, m, r, dx, dw, db);
                return Workload.concat(m, r, dx, dw, db);
            }
        });
        calls.add(n -> {
            try (Tensor x = Workload.data(4000, 64); Tensor mn = Tensor.allocate(64); Tensor mx = Tensor.allocate(64);
                    Tensor y = Tensor.allocate(4000, 64)) {
                n.minMaxFit(x, mn, mx);
                n.minMaxTransform(x, mn, mx, 0, 1, y);
                return Workload.concat(mn, mx, y);
            }
        });
        return calls;
    }

    /** NATIVE's kernel sets this machine runs: each has its own passes, fused or not. */
    static Stream<BackendVariant> nativeKernelSets() {
        return BackendVariant.available().stream().filter(v -> v.backend == Backend.NATIVE);
    }

    @ParameterizedTest
    @MethodSource("nativeKernelSets")
    void sameBitsForAnyThreadCount(BackendVariant variant) {
        Norms nat = Norms.on(Backend.NATIVE);
        List<Function<Norms, float[]>> calls = largeCalls();
        Runnable restore = variant.activate();
        try {
            RuntimeInfo.setThreads(1);
            List<float[]> one = new ArrayList<>();
            for (Function<Norms, float[]> c : calls) one.add(c.apply(nat));
            for (int threads : new int[] {2, 3, 2}) {
                RuntimeInfo.setThreads(threads);
                assertEquals(threads, RuntimeInfo.threads());
                for (int i = 0; i < calls.size(); i++) assertArrayEquals(one.get(i), calls.get(i).apply(nat), "call " + i + " on " + threads + " threads");
            }
        } finally {
            RuntimeInfo.setThreads(0);
            restore.run();
        }
    }
}
