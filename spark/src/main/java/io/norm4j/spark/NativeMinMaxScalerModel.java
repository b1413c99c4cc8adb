package io.norm4j.spark;

import io.norm4j.Norms;
import io.norm4j.Tensor;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The fitted {@link NativeMinMaxScaler}: the column's per-feature extrema, and the transform. */
public final class NativeMinMaxScalerModel extends FeatureModel<NativeMinMaxScalerModel>
        implements HasMinMaxScalerParams<NativeMinMaxScalerModel> {
    private static final long serialVersionUID = 1L;

    private static final StructType DATA = new StructType()
            .add("originalMin", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("originalMax", DataTypes.createArrayType(DataTypes.FloatType, false), false);

    private final float[] originalMin, originalMax;
    private final HasMinMaxScalerParams.Holder range;

    NativeMinMaxScalerModel(String uid, float[] originalMin, float[] originalMax) {
        super(uid);
        this.originalMin = originalMin.clone();
        this.originalMax = originalMax.clone();
        range = new HasMinMaxScalerParams.Holder(this);
    }

    @Override
    public HasMinMaxScalerParams.Holder rangeParams() {
        return range;
    }

    @Override
    public int numFeatures() {
        return originalMin.length;
    }

    /** Per-feature minimum over every partition (Spark ML's originalMin). */
    public float[] originalMin() {
        return originalMin.clone();
    }

    /** Per-feature maximum over every partition (Spark ML's originalMax). */
    public float[] originalMax() {
        return originalMax.clone();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> data) {
        requireRange();
        double lo = getMin(), hi = getMax();
        float[] dataMin = originalMin, dataMax = originalMax;
        int n = numFeatures();
        return FeatureColumns.transform(data, getInputCol(), getOutputCol(), n, (x, y) -> {
            try (Tensor dMin = Tensor.of(dataMin, n); Tensor dMax = Tensor.of(dataMax, n)) {
                Norms.auto().minMaxTransform(x, dMin, dMax, lo, hi, y);
            }
        });
    }

    @Override
    public NativeMinMaxScalerModel copy(ParamMap extra) {
        return copyValues(new NativeMinMaxScalerModel(uid(), originalMin, originalMax), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return Persistence.writer(this, RowFactory.create(originalMin, originalMax), DATA);
    }

    public static MLReader<NativeMinMaxScalerModel> read() {
        return Persistence.reader(NativeMinMaxScalerModel.class, true,
                (uid, data) -> new NativeMinMaxScalerModel(uid, Rows.floats(data, 0), Rows.floats(data, 1)));
    }

    public static NativeMinMaxScalerModel load(String path) {
        return read().load(path);
    }
}
