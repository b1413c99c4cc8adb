package io.norm4j;

import io.norm4j.parity.InputDistribution;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The channel-wise kernels (vectorised across channels, with masked tails) write their outputs
 * and nothing around them, for channel counts around the 8-lane tile.
 */
class ChannelOutputBoundsTest {
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (BackendVariant v : BackendVariant.available())
            for (int c : new int[] {1, 3, 7, 8, 9, 17, 33})
                for (Layout layout : Layout.values()) all.add(Arguments.of(v, c, layout));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} C={1} {2}")
    @MethodSource("cases")
    void normsWriteOnlyTheirOutputs(BackendVariant variant, int c, Layout layout) {
        Runnable restore = variant.activate();
        int n = 2, s = 5;
        long[] shape = layout == Layout.NCHW ? new long[] {n, c, s} : new long[] {n, s, c};
        Norms norms = Norms.on(variant.backend);
        try (Tensor x = Tensor.of(InputDistribution.NORMAL.generate(n, c * s, c), shape);
                Tensor w = Tensor.allocate(c).fill(2f);
                Tensor b = Tensor.allocate(c).fill(1f);
                Tensor rm = Tensor.allocate(c);
                Tensor rv = Tensor.allocate(c).fill(1f)) {
            Sentinels y = new Sentinels(shape), mean = new Sentinels(c), rstd = new Sentinels(c);
            norms.batchNormTraining(x, layout, rm, rv, w, b, 0.1, 1e-5, y.tensor, mean.tensor, rstd.tensor);
            y.assertCanariesIntact();
            mean.assertCanariesIntact();
            rstd.assertCanariesIntact();

            Sentinels y2 = new Sentinels(shape);
            norms.batchNorm(x, layout, rm, rv, w, b, 1e-5, y2.tensor);
            y2.assertCanariesIntact();

            Sentinels y3 = new Sentinels(shape), gm = new Sentinels(n, c), gr = new Sentinels(n, c);
            // Instance norm needs a spatial extent, which this [n, c, s] tensor has (s = 5).
            norms.instanceNormTraining(x, layout, null, null, w, b, 0.1, 1e-5, y3.tensor, gm.tensor, gr.tensor);
            y3.assertCanariesIntact();
            gm.assertCanariesIntact();
            gr.assertCanariesIntact();

            Sentinels dx = new Sentinels(shape), dw = new Sentinels(c), db = new Sentinels(c);
            try (Tensor dy = Tensor.of(InputDistribution.NORMAL.generate(1, n * c * s, 3), shape)) {
                norms.batchNormBackward(x, dy, layout, w, mean.tensor, rstd.tensor, dx.tensor, dw.tensor, db.tensor);
                dx.assertCanariesIntact();
                dw.assertCanariesIntact();
                db.assertCanariesIntact();
                Sentinels dx2 = new Sentinels(shape), dw2 = new Sentinels(c), db2 = new Sentinels(c);
                norms.instanceNormBackward(x, dy, layout, w, gm.tensor, gr.tensor, dx2.tensor, dw2.tensor, db2.tensor);
                dx2.assertCanariesIntact();
                dw2.assertCanariesIntact();
                db2.assertCanariesIntact();
            }

            if (variant.backend != Backend.ONEDNN) {
                long[] matrix = {n * s, c};
                try (Tensor xm = Tensor.of(x.toArray(), matrix)) {
                    Sentinels mn = new Sentinels(c), mx = new Sentinels(c), ym = new Sentinels(matrix);
                    norms.minMaxFit(xm, mn.tensor, mx.tensor);
                    norms.minMaxTransform(xm, mn.tensor, mx.tensor, 0, 1, ym.tensor);
                    mn.assertCanariesIntact();
                    mx.assertCanariesIntact();
                    ym.assertCanariesIntact();
                }
            }
        } finally {
            restore.run();
        }
    }
}
