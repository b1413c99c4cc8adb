package io.norm4j.spark;

import io.norm4j.Tensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Dataset column of feature vectors, {@code array<float>} or Spark ML {@code Vector}, read in
 * batches of rows into [rows, features] f32 tensors for norm4j's kernels, and a transformed column
 * written back in the input's type. A null row is skipped when fitting and stays null when
 * transformed; a Vector's values are rounded to f32 on the way in.
 */
final class FeatureColumns {
    private FeatureColumns() {}

    /** Rows per batch handed to a kernel: large enough to run at the kernels' pace, small enough to stay in cache. */
    static final int BATCH_ROWS = 4096;

    /** The type of column in schema, which must be array<float> or Vector. */
    static DataType inputType(StructType schema, String column) {
        if (column == null) throw new IllegalArgumentException("inputCol is not set");
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("inputCol '" + column + "' is not a column of " + schema.simpleString());
        }
        DataType type = schema.apply(column).dataType();
        boolean floats = type instanceof ArrayType a && a.elementType().equals(DataTypes.FloatType);
        if (!floats && !(type instanceof VectorUDT)) {
            throw new IllegalArgumentException("inputCol '" + column + "' has type " + type.simpleString()
                    + "; expected array<float> or a Spark ML Vector");
        }
        return type;
    }

    /** schema with column out added, of the input column's type. */
    static StructType outputSchema(StructType schema, String in, String out) {
        DataType type = inputType(schema, in);
        if (Arrays.asList(schema.fieldNames()).contains(out)) {
            throw new IllegalArgumentException("outputCol '" + out + "' already exists in " + schema.simpleString());
        }
        return schema.add(new StructField(out, type, true, org.apache.spark.sql.types.Metadata.empty()));
    }

    /** A row's vector as floats, or null. */
    static float[] read(Row row, int index, boolean vector) {
        if (row.isNullAt(index)) return null;
        if (vector) {
            double[] v = ((Vector) row.get(index)).toArray();
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) f[i] = (float) v[i];
            return f;
        }
        List<Object> list = row.getList(index);
        float[] f = new float[list.size()];
        for (int i = 0; i < f.length; i++) {
            Object e = list.get(i);
            if (e == null) throw new IllegalArgumentException("a vector holds a null at position " + i);
            f[i] = (Float) e;
        }
        return f;
    }

    static Object write(float[] values, boolean vector) {
        if (values == null) return null;
        if (!vector) return values;
        double[] d = new double[values.length];
        for (int i = 0; i < d.length; i++) d[i] = values[i];
        return Vectors.dense(d);
    }

    static boolean isVector(DataType type) {
        return type instanceof VectorUDT || type.equals(SQLDataTypes.VectorType());
    }

    /** Every value must have the same length (-1: none seen yet); throws naming the column otherwise. */
    static int requireLength(String column, int expected, int length) {
        if (expected >= 0 && length != expected) {
            throw new IllegalArgumentException("column '" + column + "' holds vectors of " + expected + " and of "
                    + length + " values; every row must have the same length");
        }
        return length;
    }

    /** The non-null rows of column as [rows, features] f32 batches handed to fit; features is -1 for none. */
    interface BatchFit<P> extends Serializable {
        P fit(P state, Tensor batch);
    }

    /** Function from one batch to its transform, both [rows, features]. */
    interface BatchTransform extends Serializable {
        void apply(Tensor x, Tensor y);
    }

    /**
     * One partial state per partition: fit run over the partition's batches from {@code start}, the
     * partition's rows' feature count checked against every other row's.
     */
    static <P> JavaRDD<P> partialFits(Dataset<?> data, String column, P start, BatchFit<P> fit) {
        boolean vector = isVector(inputType(data.schema(), column));
        JavaRDD<Row> rows = data.select(column).toJavaRDD();
        return rows.mapPartitions((Iterator<Row> it) -> {
            P state = start;
            List<float[]> batch = new ArrayList<>();
            int features = -1;
            while (it.hasNext()) {
                float[] v = read(it.next(), 0, vector);
                if (v == null) continue;
                features = requireLength(column, features, v.length);
                batch.add(v);
                if (batch.size() == BATCH_ROWS) {
                    state = fitBatch(state, batch, features, fit);
                    batch.clear();
                }
            }
            if (!batch.isEmpty()) state = fitBatch(state, batch, features, fit);
            return List.of(state).iterator();
        });
    }

    private static <P> P fitBatch(P state, List<float[]> batch, int features, BatchFit<P> fit) {
        try (Tensor x = Tensor.of(flatten(batch, features), batch.size(), features)) {
            return fit.fit(state, x);
        }
    }

    /** data with column out holding f(column in), batch by batch, in the input's type. */
    static Dataset<Row> transform(Dataset<?> data, String in, String out, int features, BatchTransform f) {
        StructType schema = outputSchema(data.schema(), in, out);
        boolean vector = isVector(schema.apply(in).dataType());
        int index = data.schema().fieldIndex(in);
        JavaRDD<Row> rows = data.toDF().toJavaRDD().mapPartitions((Iterator<Row> it) -> {
            List<Row> done = new ArrayList<>();
            List<Row> batch = new ArrayList<>();
            while (it.hasNext()) {
                batch.add(it.next());
                if (batch.size() == BATCH_ROWS || !it.hasNext()) {
                    done.addAll(transformBatch(batch, index, vector, in, features, f));
                    batch.clear();
                }
            }
            return done.iterator();
        });
        return data.sparkSession().createDataFrame(rows, schema);
    }

    private static List<Row> transformBatch(List<Row> rows, int index, boolean vector, String column, int features,
            BatchTransform f) {
        List<float[]> values = new ArrayList<>();
        for (Row r : rows) {
            float[] v = read(r, index, vector);
            if (v == null) continue;
            if (v.length != features) {
                throw new IllegalArgumentException("column '" + column + "' holds a vector of " + v.length
                        + " values; the model was fitted on " + features);
            }
            values.add(v);
        }
        float[] outputs = new float[0];
        if (!values.isEmpty()) {
            try (Tensor x = Tensor.of(flatten(values, features), values.size(), features);
                    Tensor y = Tensor.allocate(values.size(), features)) {
                f.apply(x, y);
                outputs = y.toArray();
            }
        }
        List<Row> result = new ArrayList<>(rows.size());
        int k = 0;
        for (Row r : rows) {
            Object[] cells = new Object[r.size() + 1];
            for (int i = 0; i < r.size(); i++) cells[i] = r.get(i);
            if (!r.isNullAt(index)) {
                cells[r.size()] = write(Arrays.copyOfRange(outputs, k * features, (k + 1) * features), vector);
                k++;
            }
            result.add(RowFactory.create(cells));
        }
        return result;
    }

    private static float[] flatten(List<float[]> rows, int features) {
        float[] flat = new float[rows.size() * features];
        for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i), 0, flat, i * features, features);
        return flat;
    }
}
