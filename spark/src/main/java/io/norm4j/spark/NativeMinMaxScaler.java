package io.norm4j.spark;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * Min-max scaling of a column of feature vectors into [min, max] as a Spark ML estimator, on
 * norm4j's min-max kernels: each partition takes its rows' extrema in batches
 * ({@link io.norm4j.Norms#minMaxPartialFit}), the partitions' extrema merge with {@code
 * treeAggregate}, and the model transforms partitions through the kernels:
 * {@code (x - dataMin) / (dataMax - dataMin) * (max - min) + min}. As norm4j's (and scikit-learn's)
 * MinMaxScaler, a constant feature maps to min (Spark ML's maps it to the middle of the range), NaN
 * values are skipped when fitting and stay NaN. Null rows are skipped when fitting and stay null.
 */
public final class NativeMinMaxScaler extends FeatureEstimator<NativeMinMaxScaler, NativeMinMaxScalerModel>
        implements HasMinMaxScalerParams<NativeMinMaxScaler> {
    private static final long serialVersionUID = 1L;

    private final HasMinMaxScalerParams.Holder range;

    public NativeMinMaxScaler() {
        this(Uids.random("norm4jMinMaxScaler"));
    }

    public NativeMinMaxScaler(String uid) {
        super(uid);
        range = new HasMinMaxScalerParams.Holder(this);
    }

    @Override
    public HasMinMaxScalerParams.Holder rangeParams() {
        return range;
    }

    @Override
    public NativeMinMaxScalerModel fit(Dataset<?> data) {
        transformSchema(data.schema());
        requireRange();
        String column = getInputCol();
        Extrema total = FeatureColumns.partialFits(data, column, Extrema.NONE, (state, batch) -> state.fit(batch))
                .treeAggregate(Extrema.NONE, (a, b) -> a.merge(column, b), (a, b) -> a.merge(column, b), 2);
        if (total.features() == 0) throw new IllegalArgumentException("column '" + column + "' has no non-null row to fit");
        NativeMinMaxScalerModel model = new NativeMinMaxScalerModel(uid(), total.min(), total.max());
        copyValues(model, new ParamMap());
        return model.setParent(this);
    }

    public static MLReader<NativeMinMaxScaler> read() {
        return Persistence.reader(NativeMinMaxScaler.class, false, (uid, data) -> new NativeMinMaxScaler(uid));
    }

    public static NativeMinMaxScaler load(String path) {
        return read().load(path);
    }
}
