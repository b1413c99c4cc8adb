package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * StandardScaler after scikit-learn's: its documented example, NaN skipped in the fit and kept in
 * the transform, a constant feature's scale of 1, withMean/withStd, fits in chunks and from other
 * shards' moments against one fit, and NATIVE's transforms bit for bit REFERENCE's on every
 * kernel set.
 */
class StandardScalerTest {
    static Stream<String> variants() {
        List<String> all = new ArrayList<>(List.of("REFERENCE"));
        for (BackendVariant v : BackendVariant.available()) if (v.backend == Backend.NATIVE) all.add(v.name());
        return all.stream();
    }

    static Backend backendOf(String variant) {
        return variant.equals("REFERENCE") ? Backend.REFERENCE : Backend.NATIVE;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void scikitLearnsDocumentedExample(String variant) {
        // scikit-learn's StandardScaler docstring: data [[0, 0], [0, 0], [1, 1], [1, 1]] has mean_
        // [0.5, 0.5], transforms to [[-1, -1], [-1, -1], [1, 1], [1, 1]], and [[2, 2]] to [[3, 3]].
        BackendVariant.on(variant, norms -> {
            try (StandardScaler scaler = new StandardScaler(2).backend(backendOf(variant));
                    Tensor data = Tensor.of(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, 4, 2);
                    Tensor two = Tensor.of(new float[] {2, 2}, 1, 2)) {
                scaler.fit(data);
                assertArrayEquals(new double[] {0.5, 0.5}, scaler.mean());
                assertArrayEquals(new double[] {0.25, 0.25}, scaler.variance());
                assertArrayEquals(new double[] {0.5, 0.5}, scaler.scale());
                assertEquals(4, scaler.samplesSeen(0));
                try (Tensor t = scaler.transform(data); Tensor t2 = scaler.transform(two)) {
                    assertArrayEquals(new float[] {-1, -1, -1, -1, 1, 1, 1, 1}, t.toArray());
                    assertArrayEquals(new float[] {3, 3}, t2.toArray());
                    try (Tensor back = scaler.inverseTransform(t)) {
                        assertArrayEquals(data.toArray(), back.toArray());
                    }
                }
            }
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("variants")
    void nanIsSkippedInTheFitAndKeptInTheTransformAndAConstantFeatureScalesBy1(String variant) {
        float nan = Float.NaN;
        BackendVariant.on(variant, norms -> {
            try (StandardScaler scaler = new StandardScaler(3).backend(backendOf(variant));
                    Tensor x = Tensor.of(new float[] {1, 5, nan, nan, 5, nan, 3, 5, nan, 5, 5, nan}, 4, 3)) {
                scaler.fit(x);
                assertEquals(3, scaler.samplesSeen(0));
                assertEquals(4, scaler.samplesSeen(1));
                assertEquals(0, scaler.samplesSeen(2));
                assertEquals(3.0, scaler.mean()[0], 1e-15);
                assertEquals(8.0 / 3, scaler.variance()[0], 1e-15);
                assertEquals(0.0, scaler.variance()[1]);
                assertEquals(1.0, scaler.scale()[1]); // constant: scale 1, not 0
                assertTrue(Double.isNaN(scaler.mean()[2]) && Double.isNaN(scaler.scale()[2]));
                try (Tensor t = scaler.transform(x)) {
                    float[] y = t.toArray();
                    assertTrue(Float.isNaN(y[3]) && Float.isNaN(y[2]));
                    assertEquals((float) (-2 / Math.sqrt(8.0 / 3)), y[0]);
                    assertEquals(0f, y[1]);
                }
            }
            return null;
        });
    }

    @ParameterizedTest
    @MethodSource("variants")
    void withoutMeanOrStdLeavesThatStepOut(String variant) {
        BackendVariant.on(variant, norms -> {
            try (Tensor x = Tensor.of(new float[] {1, 10, 3, 30}, 2, 2);
                    StandardScaler noMean = new StandardScaler(2).backend(backendOf(variant)).withMean(false).fit(x);
                    StandardScaler noStd = new StandardScaler(2).backend(backendOf(variant)).withStd(false).fit(x);
                    Tensor a = noMean.transform(x); Tensor b = noStd.transform(x)) {
                assertArrayEquals(new float[] {1, 1, 3, 3}, a.toArray()); // divided by 1 and 10
                assertArrayEquals(new float[] {-1, -10, 1, 10}, b.toArray()); // centred on 2 and 20
            }
            return null;
        });
    }

    /** Columns of mixed scale: one easy, one with mean 1e4 and std 1e-2, one heavy-tailed, one with NaN. */
    static float[] data(int rows, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[rows * 4];
        for (int r = 0; r < rows; r++) {
            x[4 * r] = (float) rnd.nextGaussian();
            x[4 * r + 1] = (float) (1e4 + 1e-2 * rnd.nextGaussian());
            x[4 * r + 2] = (float) Math.exp(3 * rnd.nextGaussian());
            x[4 * r + 3] = r % 5 == 0 ? Float.NaN : (float) (7 - 3 * rnd.nextDouble());
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("variants")
    void fitsInChunksAndFromOtherShardsEqualOneFitAndTransformsAreReferencesBits(String variant) {
        int rows = 3001;
        float[] all = data(rows, 11);
        BackendVariant.on(variant, norms -> {
            Backend backend = backendOf(variant);
            try (Tensor x = Tensor.of(all, rows, 4); StandardScaler whole = new StandardScaler(4).backend(backend).fit(x);
                    StandardScaler chunked = new StandardScaler(4).backend(backend);
                    StandardScaler reference = new StandardScaler(4).backend(Backend.REFERENCE).fit(x)) {
                int[] cuts = {0, 1000, 1001, 2500, rows};
                List<ChannelMoments> shards = new ArrayList<>();
                for (int k = 0; k + 1 < cuts.length; k++) {
                    try (Tensor part = Tensor.of(java.util.Arrays.copyOfRange(all, 4 * cuts[k], 4 * cuts[k + 1]),
                            cuts[k + 1] - cuts[k], 4)) {
                        if (k % 2 == 0) chunked.partialFit(part);
                        else shards.add(norms.featureMoments(part));
                    }
                }
                for (ChannelMoments m : shards) chunked.partialFit(m);
                for (int j = 0; j < 4; j++) {
                    double maxAbs = 0, spread = 0, mean = reference.mean()[j];
                    for (int r = 0; r < rows; r++) {
                        float v = all[4 * r + j];
                        if (Float.isNaN(v)) continue;
                        maxAbs = Math.max(maxAbs, Math.abs(v));
                        spread = Math.max(spread, Math.abs(v - mean));
                    }
                    long n = reference.samplesSeen(j);
                    double m2 = reference.moments().m2(j);
                    for (StandardScaler s : List.of(whole, chunked)) {
                        assertEquals(n, s.samplesSeen(j));
                        assertEquals(mean, s.mean()[j], ChannelMoments.meanBound(4, n, maxAbs, spread), "feature " + j);
                        assertEquals(m2, s.moments().m2(j), ChannelMoments.m2Bound(4, n, m2, maxAbs, spread), "feature " + j);
                    }
                }
                // The same statistics give the same bits on every backend: the transform is one
                // double expression rounded once.
                try (Tensor a = whole.transform(x); Tensor b = Tensor.allocate(rows, 4); Tensor back = whole.inverseTransform(a);
                        Tensor backRef = Tensor.allocate(rows, 4)) {
                    Norms.on(Backend.REFERENCE).standardScale(x, whole.mean(), whole.scale(), b);
                    assertArrayEquals(b.toArray(), a.toArray());
                    Norms.on(Backend.REFERENCE).standardScaleInverse(a, whole.mean(), whole.scale(), backRef);
                    assertArrayEquals(backRef.toArray(), back.toArray());
                    float[] t = a.toArray();
                    for (int r = 0; r < rows; r++) {
                        double expected = (all[4 * r + 1] - reference.mean()[1]) / reference.scale()[1];
                        assertEquals(expected, t[4 * r + 1], 2 * Math.ulp((float) expected) + 1e-9, "ill-conditioned feature, row " + r);
                    }
                }
            }
            return null;
        });
    }

    @Test
    void halfPrecisionDataFitsAndTransformsAsItsWidenedValues() {
        float[] all = data(64, 3);
        for (DType type : List.of(DType.BFLOAT16, DType.FLOAT16)) {
            try (Tensor half = Tensor.of(type, all, 64, 4); Tensor wide = Tensor.of(half.toArray(), 64, 4);
                    StandardScaler a = new StandardScaler(4).fit(half); StandardScaler b = new StandardScaler(4).fit(wide);
                    Tensor y = Tensor.allocate(type, 64, 4); Tensor yWide = b.transform(wide);
                    Tensor rounded = Tensor.of(type, yWide.toArray(), 64, 4)) {
                assertEquals(b.moments(), a.moments());
                a.transform(half, y);
                assertArrayEquals(rounded.toArray(), y.toArray(), type.toString());
            }
        }
    }

    @Test
    void badInputIsRefusedByName() {
        try (StandardScaler scaler = new StandardScaler(3); Tensor x2 = Tensor.allocate(4, 2); Tensor x3 = Tensor.allocate(4, 3);
                Tensor cube = Tensor.allocate(2, 2, 3)) {
            IllegalStateException notFitted = assertThrows(IllegalStateException.class, () -> scaler.transform(x3));
            assertTrue(notFitted.getMessage().contains("not fitted"), notFitted.getMessage());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> scaler.fit(x2));
            assertTrue(e.getMessage().contains("x has 2 features"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> scaler.fit(cube));
            assertTrue(e.getMessage().contains("[samples, features] matrix"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> scaler.partialFit(ChannelMoments.empty(2)));
            assertTrue(e.getMessage().contains("moments have 2 features"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> new StandardScaler(0));
            assertTrue(e.getMessage().contains("features"), e.getMessage());
            scaler.fit(x3.fill(1f));
            try (Tensor y = Tensor.allocate(4, 2)) {
                e = assertThrows(IllegalArgumentException.class, () -> scaler.transform(x3, y));
                assertTrue(e.getMessage().contains("y"), e.getMessage());
            }
            e = assertThrows(IllegalArgumentException.class,
                    () -> Norms.auto().standardScale(x3, new double[3], new double[] {1, 0, 1}, x3));
            assertTrue(e.getMessage().contains("scale[1] must be positive and finite"), e.getMessage());
            UnsupportedOperationException u = assertThrows(UnsupportedOperationException.class,
                    () -> scaler.backend(Backend.ONEDNN).transform(x3));
            assertTrue(u.getMessage().contains("ONEDNN"), u.getMessage());
        }
    }
}
