package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.norm4j.parity.InputDistribution;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batch norm backward with dx in dy's memory gives the bits it gives out of place, on each of
 * NATIVE's kernel sets: in cache, where a channels-first channel is finished while its planes are
 * in cache, and larger than the last-level cache ([5, 67, 113, 111]), where the planes are read in
 * memory order, all of them summed before any dx is written.
 */
class ChannelBackwardInPlaceTest {
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (BackendVariant v : BackendVariant.available()) {
            if (v.backend != Backend.NATIVE) continue;
            for (Layout layout : Layout.values()) all.add(Arguments.of(v, layout, new long[] {4, 9, 7, 5}));
            all.add(Arguments.of(v, Layout.NCHW, new long[] {5, 67, 113, 111}));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @MethodSource("cases")
    void inPlaceGivesTheSameBitsAsOutOfPlace(BackendVariant variant, Layout layout, long[] shape) {
        int c = (int) (layout == Layout.NCHW ? shape[1] : shape[3]);
        int values = (int) (shape[0] * shape[1] * shape[2] * shape[3]);
        Runnable restore = variant.activate();
        Norms n = Norms.on(Backend.NATIVE);
        try (Tensor x = Tensor.of(InputDistribution.NORMAL.generate(1, values, 11), shape);
                Tensor y = Tensor.allocate(shape); Tensor mean = Tensor.allocate(c); Tensor rstd = Tensor.allocate(c);
                Tensor w = Tensor.of(InputDistribution.NORMAL.generate(1, c, 12), c);
                Tensor dx = Tensor.allocate(shape); Tensor dw = Tensor.allocate(c); Tensor db = Tensor.allocate(c);
                Tensor inPlace = Tensor.of(InputDistribution.NORMAL.generate(1, values, 13), shape);
                Tensor dwInPlace = Tensor.allocate(c); Tensor dbInPlace = Tensor.allocate(c)) {
            n.batchNormTraining(x, layout, null, null, w, null, 0.1, 1e-5, y, mean, rstd);
            try (Tensor dy = Tensor.of(inPlace.toArray(), shape)) {
                n.batchNormBackward(x, dy, layout, w, mean, rstd, dx, dw, db);
            }
            n.batchNormBackward(x, inPlace, layout, w, mean, rstd, inPlace, dwInPlace, dbInPlace);
            assertArrayEquals(dx.toArray(), inPlace.toArray(), "dx");
            assertArrayEquals(dw.toArray(), dwInPlace.toArray(), "dweight");
            assertArrayEquals(db.toArray(), dbInPlace.toArray(), "dbias");
        } finally {
            restore.run();
        }
    }
}
