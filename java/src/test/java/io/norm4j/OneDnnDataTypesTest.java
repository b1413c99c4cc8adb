package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.parity.TolerancePolicy;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ONEDNN hands bf16 and f16 data to oneDNN as stored, where oneDNN has primitives for them on the
 * running CPU: {@code supports} answers as oneDNN does, a call oneDNN has no primitive for is an
 * UnsupportedOperationException naming oneDNN and the data types with nothing written, and a call
 * it runs matches REFERENCE (the parity grid holds every op's bf16 and f16 twins to the policy).
 */
class OneDnnDataTypesTest {
    private static final Norms ONEDNN = Norms.on(Backend.ONEDNN);
    private static final Norms REFERENCE = Norms.on(Backend.REFERENCE);

    private static float[] values(int n, long seed) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (3 + 2 * rnd.nextGaussian());
        return v;
    }

    @Test
    void supportsAnswersPerStorageTypeAsOneDnnCreatesItsPrimitives() {
        for (DType type : DType.values()) {
            boolean taken = type == DType.FLOAT32 || OneDnnBackend.dataTypeRefusal(type).isEmpty();
            boolean added = OneDnnBackend.addRefusal(type).isEmpty();  // the binary add's own probe
            for (Op op : Op.values())
                for (Op.Direction d : Op.Direction.values())
                    assertEquals(ONEDNN.supports(op, d) && (op == Op.ADD ? added : taken), ONEDNN.supports(op, d, type),
                            op + " " + d + " " + type);
        }
        assertTrue(OneDnnBackend.dataTypeRefusal(DType.FLOAT32).isEmpty());
    }

    /** Each half-precision type: the layer norm runs (and matches REFERENCE) exactly when supports says so. */
    @Test
    void aCallRunsWhereSupportedAndIsRefusedSayingWhyElseWithNothingWritten() {
        for (DType type : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            try (Tensor x = Tensor.of(type, values(96, 1), 3, 32);
                    Tensor y = Tensor.allocate(type, 3, 32).fill(7f);
                    Tensor want = Tensor.allocate(type, 3, 32)) {
                if (ONEDNN.supports(Op.LAYER_NORM, Op.Direction.FORWARD, type)) {
                    ONEDNN.layerNorm(x, new long[] {32}, null, null, 1e-5, y);
                    REFERENCE.layerNorm(x, new long[] {32}, null, null, 1e-5, want);
                    assertWithin(want.toArray(), y.toArray(), 32, type, type + " layer norm");
                } else {
                    UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                            () -> ONEDNN.layerNorm(x, new long[] {32}, null, null, 1e-5, y));
                    String t = type.id();
                    assertTrue(e.getMessage().contains("oneDNN") && e.getMessage().contains(t + " data"),
                            e.getMessage());
                    assertTrue(OneDnnBackend.dataTypeRefusal(type).orElseThrow().contains(t));
                    for (float v : y.toArray()) assertEquals(7f, v);
                }
            }
        }
    }

    /**
     * Types mixed within a call (bf16 x, f32 y): oneDNN runs some such combinations (its layer
     * normalization) and has no primitive for others (its batch normalization wants x and y of
     * one type); either way the call is REFERENCE's within the bound, or refused naming both
     * types with nothing written.
     */
    @Test
    void aMixedCallMatchesReferenceOrIsRefusedNamingBothTypes() {
        try (Tensor x = Tensor.of(DType.BFLOAT16, values(2 * 8 * 6, 2), 2, 8, 6);
                Tensor y = Tensor.allocate(2, 8, 6).fill(7f);
                Tensor want = Tensor.allocate(2, 8, 6);
                Tensor mean = Tensor.allocate(8).fill(7f);
                Tensor rstd = Tensor.allocate(8).fill(7f);
                Tensor m = Tensor.allocate(8);
                Tensor r = Tensor.allocate(8)) {
            for (Op op : new Op[] {Op.LAYER_NORM, Op.BATCH_NORM}) {
                Runnable onednn = op == Op.LAYER_NORM
                        ? () -> ONEDNN.layerNorm(x, new long[] {6}, null, null, 1e-5, y)
                        : () -> ONEDNN.batchNormTraining(x, Layout.NCHW, null, null, null, null, 0.1, 1e-5, y, mean, rstd);
                if (op == Op.LAYER_NORM) REFERENCE.layerNorm(x, new long[] {6}, null, null, 1e-5, want);
                else REFERENCE.batchNormTraining(x, Layout.NCHW, null, null, null, null, 0.1, 1e-5, want, m, r);
                if (!ONEDNN.supports(op, Op.Direction.FORWARD, DType.BFLOAT16)) continue;
                try {
                    onednn.run();
                    assertWithin(want.toArray(), y.toArray(), op == Op.LAYER_NORM ? 6 : 12, DType.FLOAT32, op + " bf16 -> f32");
                } catch (UnsupportedOperationException e) {
                    assertTrue(e.getMessage().contains("oneDNN") && e.getMessage().contains("x bf16, y f32"), e.getMessage());
                    for (float v : y.toArray()) assertEquals(7f, v, op.id());
                    for (float v : mean.toArray()) assertEquals(7f, v, op.id());
                    for (float v : rstd.toArray()) assertEquals(7f, v, op.id());
                }
                y.fill(7f);
            }
        }
    }

    /**
     * Within the policy's output bound (oneDNN's f32 statistics over n values of well-conditioned
     * data, |mean| * rstd below 2) and the two roundings to type of y and REFERENCE's y.
     */
    private static void assertWithin(float[] want, float[] got, long n, DType type, String what) {
        double maxAbs = 0;
        for (float v : want) maxAbs = Math.max(maxAbs, Math.abs(v));
        double tol = TolerancePolicy.outputTolerance(maxAbs, 1,
                TolerancePolicy.statisticsError(TolerancePolicy.StatisticsPrecision.F32, n, 2))
                + 2 * TolerancePolicy.storageRounding(type, maxAbs);
        for (int i = 0; i < want.length; i++)
            assertTrue(Math.abs(want[i] - got[i]) <= tol, what + " at " + i + ": " + got[i] + " vs " + want[i] + " (tol " + tol + ")");
    }
}
