package io.norm4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.ChannelMoments;
import io.norm4j.MinMaxScaler;
import io.norm4j.StandardScaler;
import io.norm4j.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scalers as Spark ML estimators under local[2]: fitted over 3 partitions (one of them empty)
 * they hold what norm4j's scaler fitted in one process holds (extrema exactly, moments within
 * ChannelMoments' bound), transform as it does, read array<float> and Vector columns, keep null
 * rows null, save and load, run in a Pipeline, and refuse bad columns by name.
 */
class ScalerEstimatorTest {
    static final int ROWS = 5003, FEATURES = 4;
    static final StructType ARRAYS = new StructType().add("id", DataTypes.IntegerType)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), true);
    static final StructType VECTORS = new StructType().add("id", DataTypes.IntegerType)
            .add("features", SQLDataTypes.VectorType(), true);

    /** Columns of mixed scale: easy, mean 1e4 with std 1e-2, heavy-tailed, constant; every 97th row null. */
    static float[][] rows() {
        Random rnd = new Random(3);
        float[][] x = new float[ROWS][];
        for (int r = 0; r < ROWS; r++) {
            if (r % 97 == 5) continue;
            x[r] = new float[] {(float) rnd.nextGaussian(), (float) (1e4 + 1e-2 * rnd.nextGaussian()),
                (float) Math.exp(3 * rnd.nextGaussian()), 2.5f};
        }
        return x;
    }

    static Dataset<Row> frame(float[][] x, boolean vectors) {
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < x.length; r++) {
            Object cell = x[r] == null ? null : vectors ? Vectors.dense(widen(x[r])) : x[r];
            rows.add(RowFactory.create(r, cell));
        }
        SparkSession spark = SparkSessions.local();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // 3 partitions, the middle one empty.
        JavaRDD<Row> rdd = jsc.parallelize(rows.subList(0, ROWS / 2), 1).union(jsc.parallelize(new ArrayList<Row>(), 1))
                .union(jsc.parallelize(rows.subList(ROWS / 2, ROWS), 1));
        return spark.createDataFrame(rdd, vectors ? VECTORS : ARRAYS);
    }

    static double[] widen(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    static float[] flat(float[][] x) {
        List<float[]> kept = new ArrayList<>();
        for (float[] r : x) if (r != null) kept.add(r);
        float[] f = new float[kept.size() * FEATURES];
        for (int i = 0; i < kept.size(); i++) System.arraycopy(kept.get(i), 0, f, i * FEATURES, FEATURES);
        return f;
    }

    /** The output column by id, as floats (null rows null). */
    static float[][] output(Dataset<Row> out, String column) {
        float[][] y = new float[ROWS][];
        for (Row r : out.select("id", column).collectAsList()) {
            if (r.isNullAt(1)) continue;
            Object v = r.get(1);
            y[r.getInt(0)] = v instanceof Vector vec ? narrow(vec.toArray()) : Rows.floats(r, 1);
        }
        return y;
    }

    static float[] narrow(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }

    @Test
    void standardScalerFitsOverPartitionsAsOneProcessDoesAndTransformsAlike() {
        float[][] x = rows();
        float[] all = flat(x);
        for (boolean vectors : new boolean[] {false, true}) {
            Dataset<Row> data = frame(x, vectors);
            assertEquals(3, data.rdd().getNumPartitions());
            NativeStandardScalerModel model = new NativeStandardScaler().setInputCol("features").setOutputCol("scaled").fit(data);
            try (Tensor t = Tensor.of(all, all.length / FEATURES, FEATURES); StandardScaler one = new StandardScaler(FEATURES).fit(t)) {
                ChannelMoments m = model.moments();
                for (int j = 0; j < FEATURES; j++) {
                    double maxAbs = 0, spread = 0;
                    for (int r = 0; r < all.length / FEATURES; r++) {
                        maxAbs = Math.max(maxAbs, Math.abs(all[r * FEATURES + j]));
                        spread = Math.max(spread, Math.abs(all[r * FEATURES + j] - one.mean()[j]));
                    }
                    long n = one.samplesSeen(j);
                    assertEquals(n, m.count(j));
                    assertEquals(one.mean()[j], m.mean(j), ChannelMoments.meanBound(3, n, maxAbs, spread));
                    assertEquals(one.moments().m2(j), m.m2(j), ChannelMoments.m2Bound(3, n, one.moments().m2(j), maxAbs, spread));
                }
                assertEquals(1.0, model.std()[3]); // the constant feature
                float[][] y = output(model.transform(data), "scaled");
                for (int r = 0; r < ROWS; r++) {
                    if (x[r] == null) {
                        assertNull(y[r], "row " + r);
                        continue;
                    }
                    for (int j = 0; j < FEATURES; j++) {
                        double expected = (x[r][j] - one.mean()[j]) / one.scale()[j];
                        assertEquals(expected, y[r][j], 2 * Math.ulp((float) expected) + 1e-9, "row " + r + " feature " + j);
                    }
                }
            }
        }
    }

    @Test
    void minMaxScalerFitsTheExtremaExactlyAndTransformsAsNorm4jDoes() {
        float[][] x = rows();
        float[] all = flat(x);
        for (boolean vectors : new boolean[] {false, true}) {
            Dataset<Row> data = frame(x, vectors);
            NativeMinMaxScalerModel model = new NativeMinMaxScaler().setInputCol("features").setOutputCol("scaled")
                    .setMin(-1).setMax(1).fit(data);
            try (Tensor t = Tensor.of(all, all.length / FEATURES, FEATURES);
                    MinMaxScaler one = new MinMaxScaler(FEATURES, -1, 1).fit(t); Tensor expected = one.transform(t)) {
                assertArrayEquals(one.dataMin(), model.originalMin());
                assertArrayEquals(one.dataMax(), model.originalMax());
                float[][] y = output(model.transform(data), "scaled");
                float[] e = expected.toArray();
                int k = 0;
                for (int r = 0; r < ROWS; r++) {
                    if (x[r] == null) {
                        assertNull(y[r]);
                        continue;
                    }
                    assertArrayEquals(java.util.Arrays.copyOfRange(e, k * FEATURES, (k + 1) * FEATURES), y[r], "row " + r);
                    k++;
                }
            }
        }
    }

    @Test
    void estimatorsAndModelsSaveAndLoadAndRunInAPipeline(@TempDir Path dir) throws Exception {
        float[][] x = rows();
        Dataset<Row> data = frame(x, false);
        NativeStandardScaler standard = new NativeStandardScaler().setInputCol("features").setOutputCol("z").setWithMean(false);
        NativeMinMaxScaler minMax = new NativeMinMaxScaler().setInputCol("z").setOutputCol("unit").setMax(2);
        PipelineModel pipeline = new Pipeline().setStages(new PipelineStage[] {standard, minMax}).fit(data);
        float[][] before = output(pipeline.transform(data), "unit");

        standard.save(dir.resolve("standard").toString());
        NativeStandardScaler standardBack = NativeStandardScaler.load(dir.resolve("standard").toString());
        assertEquals(standard.uid(), standardBack.uid());
        assertEquals(false, standardBack.getWithMean());
        assertEquals("z", standardBack.getOutputCol());

        NativeStandardScalerModel fitted = (NativeStandardScalerModel) pipeline.stages()[0];
        NativeMinMaxScalerModel fittedMinMax = (NativeMinMaxScalerModel) pipeline.stages()[1];
        fitted.save(dir.resolve("standard-model").toString());
        fittedMinMax.write().overwrite().save(dir.resolve("minmax-model").toString());
        fittedMinMax.write().overwrite().save(dir.resolve("minmax-model").toString());
        NativeStandardScalerModel fittedBack = NativeStandardScalerModel.load(dir.resolve("standard-model").toString());
        NativeMinMaxScalerModel minMaxBack = NativeMinMaxScalerModel.load(dir.resolve("minmax-model").toString());
        assertEquals(fitted.moments(), fittedBack.moments());
        assertEquals(2.0, minMaxBack.getMax());
        assertArrayEquals(fittedMinMax.originalMax(), minMaxBack.originalMax());
        float[][] after = output(minMaxBack.transform(fittedBack.transform(data)), "unit");
        for (int r = 0; r < ROWS; r++) assertArrayEquals(before[r], after[r], "row " + r);
        assertTrue(Files.exists(dir.resolve("standard-model").resolve("metadata")));

        pipeline.write().overwrite().save(dir.resolve("pipeline").toString());
        PipelineModel pipelineBack = PipelineModel.load(dir.resolve("pipeline").toString());
        float[][] again = output(pipelineBack.transform(data), "unit");
        for (int r = 0; r < ROWS; r++) assertArrayEquals(before[r], again[r], "row " + r);
        IllegalArgumentException wrong = assertThrows(IllegalArgumentException.class,
                () -> NativeMinMaxScalerModel.load(dir.resolve("standard-model").toString()));
        assertTrue(wrong.getMessage().contains("NativeStandardScalerModel"), wrong.getMessage());
    }

    @Test
    void badColumnsAreRefusedByName() {
        SparkSession spark = SparkSessions.local();
        Dataset<Row> ints = spark.createDataFrame(List.of(RowFactory.create(1, 2)),
                new StructType().add("id", DataTypes.IntegerType).add("features", DataTypes.IntegerType));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NativeStandardScaler().setInputCol("features").fit(ints));
        assertTrue(e.getMessage().contains("'features' has type int"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NativeMinMaxScaler().setInputCol("nope").fit(ints));
        assertTrue(e.getMessage().contains("'nope' is not a column"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new NativeMinMaxScaler().setInputCol("features").setMin(1).setMax(1)
                .fit(frame(rows(), false)));
        assertTrue(e.getMessage().contains("min must be below max"), e.getMessage());

        Dataset<Row> ragged = spark.createDataFrame(List.of(RowFactory.create(0, new float[] {1, 2}),
                RowFactory.create(1, new float[] {1, 2, 3})), ARRAYS).coalesce(1);
        Exception failed = assertThrows(Exception.class, () -> new NativeStandardScaler().setInputCol("features").fit(ragged));
        assertTrue(rootMessage(failed).contains("holds vectors of 2 and of 3 values"), rootMessage(failed));
        Dataset<Row> empty = spark.createDataFrame(List.of(RowFactory.create(0, null)), ARRAYS);
        e = assertThrows(IllegalArgumentException.class, () -> new NativeStandardScaler().setInputCol("features").fit(empty));
        assertTrue(e.getMessage().contains("no non-null row"), e.getMessage());
        NativeMinMaxScalerModel model = new NativeMinMaxScaler().setInputCol("features").fit(frame(rows(), false));
        Exception shorter = assertThrows(Exception.class, () -> model.transform(ragged).collectAsList());
        assertTrue(rootMessage(shorter).contains("fitted on 4"), rootMessage(shorter));
        e = assertThrows(IllegalArgumentException.class,
                () -> model.setOutputCol("id").transform(frame(rows(), false)));
        assertTrue(e.getMessage().contains("'id' already exists"), e.getMessage());
    }

    static String rootMessage(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) all.append(c.getMessage()).append(" | ");
        return all.toString();
    }
}
