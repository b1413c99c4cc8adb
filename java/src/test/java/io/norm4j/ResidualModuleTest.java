package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** RMSNorm's and LayerNorm's residual-add forward and backward(dy, dh): the functional calls' results. */
class ResidualModuleTest {
    private static Tensor random(long seed, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[Math.toIntExact(Shapes.numel("shape", shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) r.nextGaussian();
        return Tensor.of(v, shape);
    }

    @Test
    void rmsNormModuleGivesTheFunctionalResultsAndAccumulatesTheWeightGradient() {
        long[] shape = {6, 40}, ns = {40};
        Norms n = Norms.auto();
        try (RMSNorm m = new RMSNorm(40); Tensor x = random(1, shape); Tensor r = random(2, shape);
                Tensor dy = random(3, shape); Tensor dh = random(4, shape); Tensor h = Tensor.allocate(shape);
                Tensor y = Tensor.allocate(shape); Tensor eh = Tensor.allocate(shape); Tensor ey = Tensor.allocate(shape);
                Tensor rstd = Tensor.allocate(6); Tensor edx = Tensor.allocate(shape); Tensor edw = Tensor.allocate(ns)) {
            m.forward(x, r, h, y);
            n.addRmsNormTraining(x, r, ns, m.weight(), 0, m.eps(), eh, ey, rstd);
            assertArrayEquals(eh.toArray(), h.toArray());
            assertArrayEquals(ey.toArray(), y.toArray());
            n.addRmsNormBackward(eh, dy, dh, ns, m.weight(), 0, rstd, edx, edw);
            for (int step = 1; step <= 2; step++) {
                try (Tensor dx = m.backward(dy, dh)) {
                    assertArrayEquals(edx.toArray(), dx.toArray());
                }
                float[] expected = edw.toArray();
                for (int j = 0; j < expected.length; j++) expected[j] *= step;
                assertArrayEquals(expected, m.weightGrad().toArray(), 1e-5f, "accumulated over " + step + " steps");
            }
        }
    }

    @Test
    void layerNormModuleWithoutDhIsThePlainBackwardOnH() {
        long[] shape = {5, 33}, ns = {33};
        try (LayerNorm m = new LayerNorm(33); Tensor x = random(5, shape); Tensor r = random(6, shape);
                Tensor dy = random(7, shape); Tensor y = Tensor.allocate(shape); Tensor mean = Tensor.allocate(5);
                Tensor rstd = Tensor.allocate(5); Tensor ey = Tensor.allocate(shape); Tensor edx = Tensor.allocate(shape)) {
            float[] h0 = new float[x.toArray().length];
            for (int i = 0; i < h0.length; i++) h0[i] = x.get(i) + r.get(i);
            m.forward(x, r, r, y);  // h over residual, as a residual stream is updated
            assertArrayEquals(h0, r.toArray());
            Norms.auto().layerNormTraining(r, ns, m.weight(), m.bias(), m.eps(), ey, mean, rstd);
            assertArrayEquals(ey.toArray(), y.toArray());
            Norms.auto().layerNormBackward(r, dy, ns, m.weight(), mean, rstd, edx, null, null);
            try (Tensor a = m.backward(dy, null); Tensor b = m.backward(dy)) {
                assertArrayEquals(edx.toArray(), a.toArray());
                assertArrayEquals(edx.toArray(), b.toArray());
            }
        }
    }

    @Test
    void aModuleWithoutAResidualAddSaysSo() {
        try (BatchNorm bn = new BatchNorm(3); Tensor x = random(8, 4, 3); Tensor dy = random(9, 4, 3)) {
            bn.forward(x).close();
            UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> bn.backward(dy, dy));
            assertTrue(e.getMessage().contains("BatchNorm has no residual add"), e.getMessage());
        }
    }
}
