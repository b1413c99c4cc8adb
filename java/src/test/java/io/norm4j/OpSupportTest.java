package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Norms.supports answers per backend, op and direction, and agrees with what a call does. */
class OpSupportTest {
    @Test
    void referenceAndNativeRunEveryOpBothWaysButTheAddForwardOnly() {
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE, Backend.AUTO})
            for (Op op : Op.values())
                for (Op.Direction d : Op.Direction.values())
                    assertEquals(op != Op.ADD || d == Op.Direction.FORWARD, Norms.on(b).supports(op, d), b + " " + op + " " + d);
    }

    @Test
    void onednnHasNoMinMaxNoFusedResidualAddNoFusedActivationBackwardAndNoRmsNormBackward() {
        Norms onednn = Norms.on(Backend.ONEDNN);
        for (Op op : Op.values())
            for (Op.Direction d : Op.Direction.values()) {
                boolean fused = op == Op.ADD_LAYER_NORM || op == Op.ADD_RMS_NORM;
                boolean activated = op == Op.GROUP_NORM_SILU || op == Op.BATCH_NORM_RELU;
                boolean expected = op != Op.MIN_MAX && !fused
                        && !((op == Op.RMS_NORM || activated || op == Op.ADD) && d == Op.Direction.BACKWARD);
                assertEquals(expected, onednn.supports(op, d), op + " " + d);
            }
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2); Tensor mn = Tensor.allocate(2);
                Tensor mx = Tensor.allocate(2)) {
            UnsupportedOperationException e =
                    assertThrows(UnsupportedOperationException.class, () -> onednn.minMaxFit(x, mn, mx));
            assertTrue(e.getMessage().contains("min_max"), e.getMessage());
        }
    }

    @Test
    void opsAreNamedAsInReportsAndAnUnknownNameIsRefusedWithTheChoices() {
        for (Op op : Op.values()) assertEquals(op, Op.fromId(op.id()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Op.fromId("layer_nrom"));
        assertTrue(e.getMessage().contains("layer_nrom") && e.getMessage().contains("layer_norm"), e.getMessage());
        assertFalse(e.getMessage().isEmpty());
    }
}
