package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.parity.InputDistribution;
import org.junit.jupiter.api.Test;

/**
 * REFERENCE is the oracle, so it is checked against values derived by hand and against the
 * defining properties of layer norm, not against another backend.
 */
class ReferenceLayerNormTest {
    private final Norms ref = Norms.on(Backend.REFERENCE);

    @Test
    void matchesHandComputedValues() {
        // x = 1, 2, 3, 4: mean 2.5, biased variance 1.25, so y = (x - 2.5) / sqrt(1.25).
        double s = Math.sqrt(1.25);
        float[] expected = {(float) (-1.5 / s), (float) (-0.5 / s), (float) (0.5 / s), (float) (1.5 / s)};
        try (Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
                Tensor y = Tensor.allocate(1, 4);
                Tensor mean = Tensor.allocate(1);
                Tensor rstd = Tensor.allocate(1)) {
            ref.layerNormTraining(x, new long[] {4}, null, null, 0.0, y, mean, rstd);
            assertArrayEquals(expected, y.toArray());
            assertEquals(2.5f, mean.get(0));
            assertEquals((float) (1 / s), rstd.get(0));
        }
    }

    @Test
    void affineScalesAndShiftsTheNormalizedValue() {
        // Two values a, b normalize to -1, +1 (eps 0); weight (2, 3), bias (10, 20) -> 8, 23.
        try (Tensor x = Tensor.of(new float[] {5, 9}, 1, 2);
                Tensor y = Tensor.allocate(1, 2);
                Tensor w = Tensor.of(new float[] {2, 3}, 2);
                Tensor b = Tensor.of(new float[] {10, 20}, 2)) {
            ref.layerNorm(x, new long[] {2}, w, b, 0.0, y);
            assertArrayEquals(new float[] {8, 23}, y.toArray());
        }
    }

    @Test
    void outputRowsHaveMeanZeroAndVarianceOne() {
        int rows = 5, cols = 1000;
        try (Tensor x = Tensor.of(InputDistribution.LARGE_MEAN.generate(rows, cols, 3), rows, cols);
                Tensor y = Tensor.allocate(rows, cols)) {
            ref.layerNorm(x, new long[] {cols}, null, null, 0.0, y);
            float[] v = y.toArray();
            for (int r = 0; r < rows; r++) {
                double sum = 0, sq = 0;
                for (int i = 0; i < cols; i++) sum += v[r * cols + i];
                for (int i = 0; i < cols; i++) sq += v[r * cols + i] * (double) v[r * cols + i];
                assertEquals(0, sum / cols, 1e-6, "row mean");
                assertEquals(1, sq / cols, 1e-6, "row variance");
            }
        }
    }

    @Test
    void normalizesOverSeveralTrailingDimensions() {
        // Normalizing [2, 3, 4] over (3, 4) is normalizing [2, 12] over 12.
        float[] data = InputDistribution.NORMAL.generate(2, 12, 5);
        try (Tensor x3 = Tensor.of(data, 2, 3, 4);
                Tensor y3 = Tensor.allocate(2, 3, 4);
                Tensor x2 = Tensor.of(data, 2, 12);
                Tensor y2 = Tensor.allocate(2, 12)) {
            ref.layerNorm(x3, new long[] {3, 4}, null, null, 1e-5, y3);
            ref.layerNorm(x2, new long[] {12}, null, null, 1e-5, y2);
            assertArrayEquals(y2.toArray(), y3.toArray());
        }
    }

    @Test
    void nonFiniteValuesMakeTheirWholeRowNaN() {
        try (Tensor x = Tensor.of(new float[] {1, Float.POSITIVE_INFINITY, 3, 1, 2, 3}, 2, 3);
                Tensor y = Tensor.allocate(2, 3)) {
            ref.layerNorm(x, new long[] {3}, null, null, 1e-5, y);
            float[] v = y.toArray();
            for (int i = 0; i < 3; i++) assertTrue(Float.isNaN(v[i]), "row with Inf is NaN");
            for (int i = 3; i < 6; i++) assertTrue(Float.isFinite(v[i]), "other row is unaffected");
        }
    }
}
