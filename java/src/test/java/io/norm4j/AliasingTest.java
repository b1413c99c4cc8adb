package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Outputs that share memory with another argument, other than exact in-place operation, are
 * rejected before anything is written.
 */
class AliasingTest {
    /** One direct buffer holding several tensors' memory, to build overlaps from. */
    private static FloatBuffer arena(int n) {
        FloatBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) b.put(i, (float) Math.sin(i));
        return b;
    }

    private static float[] snapshot(FloatBuffer b) {
        float[] a = new float[b.capacity()];
        b.get(0, a);
        return a;
    }

    private static void rejectsUnchanged(FloatBuffer arena, String words, Executable call) {
        float[] before = snapshot(arena);
        Throwable t = assertThrows(IllegalArgumentException.class, call);
        assertTrue(t.getMessage().contains(words), t.getMessage());
        assertArrayEquals(before, snapshot(arena), "nothing may be written");
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE", "ONEDNN"})
    void partialOverlapIsRejected(Backend backend) {
        Norms n = Norms.on(backend);
        FloatBuffer a = arena(64);
        Tensor x = Tensor.wrap(a.duplicate().position(0), 4, 8);
        Tensor yShifted = Tensor.wrap(a.duplicate().position(4), 4, 8);
        Tensor w = Tensor.wrap(a.duplicate().position(40), 8);
        Tensor yOnWeight = Tensor.wrap(a.duplicate().position(36), 1, 8);
        Tensor x1 = Tensor.wrap(a.duplicate().position(50), 1, 8);
        Tensor mean = Tensor.wrap(a.duplicate().position(32), 4);
        Tensor rstdOnMean = Tensor.wrap(a.duplicate().position(34), 4);
        long[] ns = {8};
        rejectsUnchanged(a, "y overlaps x in part", () -> n.layerNorm(x, ns, null, null, 1e-5, yShifted));
        rejectsUnchanged(a, "y overlaps weight", () -> n.layerNorm(x1, ns, w, null, 1e-5, yOnWeight));
        try (Tensor y = Tensor.allocate(4, 8)) {
            rejectsUnchanged(a, "mean overlaps rstd", () -> n.layerNormTraining(x, ns, null, null, 1e-5, y, mean, rstdOnMean));
            rejectsUnchanged(a, "mean overlaps x", () -> n.layerNormTraining(x, ns, null, null, 1e-5, y, Tensor.wrap(a.duplicate().position(0), 4), rstdOnMean));
        }
        Tensor dxOnX = x;
        try (Tensor dy = Tensor.allocate(4, 8); Tensor m = Tensor.allocate(4).fill(0f); Tensor r = Tensor.allocate(4).fill(1f)) {
            rejectsUnchanged(a, "dx overlaps x (they are the same memory)",
                    () -> n.layerNormBackward(x, dy, ns, null, m, r, dxOnX, null, null));
        }
        Tensor nchw = Tensor.wrap(a.duplicate().position(0), 2, 2, 4);
        Tensor nchwShifted = Tensor.wrap(a.duplicate().position(8), 2, 2, 4);
        rejectsUnchanged(a, "y overlaps x in part", () -> n.groupNorm(nchw, Layout.NCHW, 1, null, null, 1e-5, nchwShifted));
        Tensor rm = Tensor.wrap(a.duplicate().position(10), 2);
        try (Tensor y = Tensor.allocate(2, 2, 4); Tensor m = Tensor.allocate(2); Tensor r = Tensor.allocate(2);
                Tensor rv = Tensor.allocate(2).fill(1f)) {
            rejectsUnchanged(a, "runningMean overlaps x", () -> n.batchNormTraining(nchw, Layout.NCHW, rm, rv, null, null, 0.1, 1e-5, y, m, r));
        }
    }

    @ParameterizedTest
    @EnumSource(value = Backend.class, names = {"REFERENCE", "NATIVE"})
    void minMaxOutputsMayNotOverlapTheData(Backend backend) {
        FloatBuffer a = arena(32);
        Tensor x = Tensor.wrap(a.duplicate().position(0), 4, 4);
        Tensor min = Tensor.wrap(a.duplicate().position(12), 4);
        try (Tensor max = Tensor.allocate(4)) {
            rejectsUnchanged(a, "dataMin overlaps x", () -> Norms.on(backend).minMaxFit(x, min, max));
        }
    }
}
