package io.norm4j.hardening;

import io.norm4j.Backend;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.RuntimeInfo;
import io.norm4j.Tensor;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The soak run, in its own JVM (see {@link SoakTest}): a fixed, pre-touched heap and the serial
 * collector keep the JVM's own memory still, so what moves is what the calls leak. Prints one
 * line per checkpoint: calls, C heap bytes, direct bytes, RSS bytes. With a third argument
 * "leak", every call also leaks one 16-byte native allocation: the leak the test must catch.
 */
public final class SoakMain {
    public static void main(String[] args) throws Exception {
        int calls = Integer.parseInt(args[0]), checkpoints = Integer.parseInt(args[1]);
        boolean leak = args.length > 2 && args[2].equals("leak");
        Norms nat = Norms.on(Backend.NATIVE), dnn = Norms.on(Backend.ONEDNN), ref = Norms.on(Backend.REFERENCE);
        long[] ns = {16};
        try (Tensor x = Workload.data(4, 16); Tensor y = Tensor.allocate(4, 16); Tensor dy = Workload.data(4, 16);
                Tensor m = Tensor.allocate(4); Tensor r = Tensor.allocate(4); Tensor dx = Tensor.allocate(4, 16);
                Tensor c = Workload.data(3, 4, 5); Tensor cy = Tensor.allocate(3, 4, 5); Tensor cm = Tensor.allocate(4);
                Tensor cr = Tensor.allocate(4); Tensor rm = Tensor.allocate(4); Tensor rv = Tensor.allocate(4).fill(1f);
                Tensor gm = Tensor.allocate(3, 1); Tensor gr = Tensor.allocate(3, 1); Tensor mn = Tensor.allocate(16);
                Tensor mx = Tensor.allocate(16)) {
            Runnable[] mix = {
                () -> nat.layerNormTraining(x, ns, null, null, 1e-5, y, m, r),
                () -> dnn.layerNormTraining(x, ns, null, null, 1e-5, y, m, r),
                () -> nat.layerNormBackward(x, dy, ns, null, m, r, dx, null, null),
                () -> dnn.layerNormBackward(x, dy, ns, null, m, r, dx, null, null),
                () -> nat.batchNormTraining(c, Layout.NCHW, rm, rv, null, null, 0.1, 1e-5, cy, cm, cr),
                () -> dnn.batchNormTraining(c, Layout.NCHW, rm, rv, null, null, 0.1, 1e-5, cy, cm, cr),
                () -> nat.groupNormTraining(c, Layout.NHWC, 1, null, null, 1e-5, cy, gm, gr),
                () -> dnn.groupNormBackward(c, cy, Layout.NHWC, 1, null, gm, gr, dxLike(cy), null, null),
                () -> dnn.rmsNorm(x, ns, null, 1e-5, y),
                () -> nat.minMaxFit(x, mn, mx),
                () -> ref.layerNorm(x, ns, null, null, 1e-5, y),
            };
            for (int i = 0; i < calls / 2; i++) mix[i % mix.length].run(); // warm up: caches, JIT
            for (int k = 0; k <= checkpoints; k++) {
                if (k > 0) {
                    for (int i = 0; i < calls / checkpoints; i++) {
                        mix[i % mix.length].run();
                        if (leak) org.bytedeco.javacpp.Pointer.malloc(16);
                    }
                }
                System.out.println((long) k * (calls / checkpoints) + " " + RuntimeInfo.nativeHeapInUse() + " "
                        + directBytes() + " " + rssBytes());
            }
        }
    }

    private static Tensor scratch;

    /** One reusable gradient output, so the mix itself allocates nothing per call. */
    private static Tensor dxLike(Tensor t) {
        if (scratch == null) scratch = Tensor.allocate(t.shape());
        return scratch;
    }

    private static long directBytes() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(p -> p.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
    }

    private static long rssBytes() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
        return 0;
    }
}
