package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.norm4j.parity.InputDistribution;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Where a kernel writes: exactly its outputs (never past a tail), and in place like out of place. */
class LayerNormOutputTest {
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (BackendVariant v : BackendVariant.available())
            for (int cols : new int[] {1, 3, 7, 8, 9, 15, 16, 17, 31, 257})
                all.add(Arguments.of(v, cols));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void writesNothingOutsideItsOutputs(BackendVariant variant, int cols) {
        Runnable restore = variant.activate();
        int rows = 3;
        Sentinels y = new Sentinels(rows, cols), mean = new Sentinels(rows), rstd = new Sentinels(rows);
        try (Tensor x = Tensor.of(InputDistribution.NORMAL.generate(rows, cols, cols), rows, cols);
                Tensor w = Tensor.allocate(cols).fill(2f);
                Tensor b = Tensor.allocate(cols).fill(1f)) {
            Norms.on(variant.backend).layerNormTraining(x, new long[] {cols}, w, b, 1e-5, y.tensor, mean.tensor, rstd.tensor);
        } finally {
            restore.run();
        }
        y.assertCanariesIntact();
        mean.assertCanariesIntact();
        rstd.assertCanariesIntact();
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void backwardWritesNothingOutsideItsOutputs(BackendVariant variant, int cols) {
        Runnable restore = variant.activate();
        int rows = 3;
        long[] ns = {cols};
        Sentinels dx = new Sentinels(rows, cols), dw = new Sentinels(cols), db = new Sentinels(cols);
        try (Tensor x = Tensor.of(InputDistribution.NORMAL.generate(rows, cols, cols), rows, cols);
                Tensor dy = Tensor.of(InputDistribution.NORMAL.generate(rows, cols, 5), rows, cols);
                Tensor y = Tensor.allocate(rows, cols);
                Tensor mean = Tensor.allocate(rows);
                Tensor rstd = Tensor.allocate(rows);
                Tensor w = Tensor.allocate(cols).fill(2f)) {
            Norms n = Norms.on(variant.backend);
            n.layerNormTraining(x, ns, w, null, 1e-5, y, mean, rstd);
            n.layerNormBackward(x, dy, ns, w, mean, rstd, dx.tensor, dw.tensor, db.tensor);
            if (variant.backend != Backend.ONEDNN) {
                Sentinels dx2 = new Sentinels(rows, cols), dw2 = new Sentinels(cols);
                n.rmsNormBackward(x, dy, ns, w, rstd, dx2.tensor, dw2.tensor);
                dx2.assertCanariesIntact();
                dw2.assertCanariesIntact();
            }
        } finally {
            restore.run();
        }
        dx.assertCanariesIntact();
        dw.assertCanariesIntact();
        db.assertCanariesIntact();
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void backwardInPlaceGivesTheSameBitsAsOutOfPlace(BackendVariant variant, int cols) {
        Runnable restore = variant.activate();
        long[] ns = {cols};
        try {
            // One row too: there db is copied from dy, which in place must happen before dx is written.
            for (int rows : new int[] {1, 4}) {
                float[] grad = InputDistribution.NORMAL.generate(rows, cols, 13);
                try (Tensor x = Tensor.of(InputDistribution.NORMAL.generate(rows, cols, 11), rows, cols);
                        Tensor y = Tensor.allocate(rows, cols);
                        Tensor mean = Tensor.allocate(rows);
                        Tensor rstd = Tensor.allocate(rows);
                        Tensor dy = Tensor.of(grad, rows, cols);
                        Tensor dx = Tensor.allocate(rows, cols);
                        Tensor dw = Tensor.allocate(cols);
                        Tensor db = Tensor.allocate(cols);
                        Tensor inPlace = Tensor.of(grad, rows, cols);
                        Tensor dwInPlace = Tensor.allocate(cols);
                        Tensor dbInPlace = Tensor.allocate(cols)) {
                    Norms n = Norms.on(variant.backend);
                    n.layerNormTraining(x, ns, null, null, 1e-5, y, mean, rstd);
                    n.layerNormBackward(x, dy, ns, null, mean, rstd, dx, dw, db);
                    n.layerNormBackward(x, inPlace, ns, null, mean, rstd, inPlace, dwInPlace, dbInPlace);
                    assertArrayEquals(dx.toArray(), inPlace.toArray(), "dx, rows " + rows);
                    assertArrayEquals(dw.toArray(), dwInPlace.toArray(), "dweight, rows " + rows);
                    assertArrayEquals(db.toArray(), dbInPlace.toArray(), "dbias, rows " + rows);
                }
            }
        } finally {
            restore.run();
        }
    }

    @ParameterizedTest(name = "{0} cols={1}")
    @MethodSource("cases")
    void inPlaceGivesTheSameBitsAsOutOfPlace(BackendVariant variant, int cols) {
        Runnable restore = variant.activate();
        int rows = 4;
        float[] data = InputDistribution.NORMAL.generate(rows, cols, 11);
        try (Tensor x = Tensor.of(data, rows, cols);
                Tensor y = Tensor.allocate(rows, cols);
                Tensor inPlace = Tensor.of(data, rows, cols);
                Tensor w = Tensor.allocate(cols).fill(0.5f)) {
            Norms n = Norms.on(variant.backend);
            n.layerNorm(x, new long[] {cols}, w, null, 1e-5, y);
            n.layerNorm(inPlace, new long[] {cols}, w, null, 1e-5, inPlace);
            assertArrayEquals(y.toArray(), inPlace.toArray());
        } finally {
            restore.run();
        }
    }
}
