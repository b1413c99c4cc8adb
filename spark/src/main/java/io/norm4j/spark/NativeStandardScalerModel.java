package io.norm4j.spark;

import io.norm4j.ChannelMoments;
import io.norm4j.StandardScaler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** The fitted {@link NativeStandardScaler}: the column's per-feature moments, and the transform. */
public final class NativeStandardScalerModel extends FeatureModel<NativeStandardScalerModel>
        implements HasStandardScalerParams<NativeStandardScalerModel> {
    private static final long serialVersionUID = 1L;

    private static final StructType DATA = new StructType()
            .add("count", DataTypes.createArrayType(DataTypes.LongType, false), false)
            .add("mean", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
            .add("m2", DataTypes.createArrayType(DataTypes.DoubleType, false), false);

    private final ChannelMoments moments;
    private final HasStandardScalerParams.Holder standard;

    NativeStandardScalerModel(String uid, ChannelMoments moments) {
        super(uid);
        this.moments = moments;
        standard = new HasStandardScalerParams.Holder(this);
    }

    @Override
    public HasStandardScalerParams.Holder standardParams() {
        return standard;
    }

    @Override
    public int numFeatures() {
        return moments.channels();
    }

    /** Per-feature count, mean and m2 over every partition. */
    public ChannelMoments moments() {
        return moments;
    }

    /** Per-feature mean (NaN for a feature that saw no value). */
    public double[] mean() {
        try (StandardScaler s = scaler()) {
            return s.mean();
        }
    }

    /** Per-feature divisor: the population standard deviation, 1 for a constant feature. */
    public double[] std() {
        try (StandardScaler s = scaler()) {
            return s.scale();
        }
    }

    private StandardScaler scaler() {
        return new StandardScaler(moments.channels()).partialFit(moments).withMean(getWithMean()).withStd(getWithStd());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> data) {
        ChannelMoments fitted = moments;
        boolean centre = getWithMean(), scale = getWithStd();
        return FeatureColumns.transform(data, getInputCol(), getOutputCol(), numFeatures(), (x, y) -> {
            try (StandardScaler s = new StandardScaler(fitted.channels()).partialFit(fitted).withMean(centre).withStd(scale)) {
                s.transform(x, y);
            }
        });
    }

    @Override
    public NativeStandardScalerModel copy(ParamMap extra) {
        return copyValues(new NativeStandardScalerModel(uid(), moments), extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return Persistence.writer(this, RowFactory.create(moments.counts(), moments.means(), moments.m2s()), DATA);
    }

    public static MLReader<NativeStandardScalerModel> read() {
        return Persistence.reader(NativeStandardScalerModel.class, true, (uid, data) -> new NativeStandardScalerModel(uid,
                ChannelMoments.of(Rows.longs(data, 0), Rows.doubles(data, 1), Rows.doubles(data, 2))));
    }

    public static NativeStandardScalerModel load(String path) {
        return read().load(path);
    }
}
