package io.norm4j.spark;

import io.norm4j.ChannelMoments;
import io.norm4j.Norms;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * Standard (z-score) scaling of a column of feature vectors as a Spark ML estimator, on norm4j's
 * {@link io.norm4j.StandardScaler}: each partition fits its rows in batches through the native
 * kernels ({@link Norms#featureMoments}), the partitions' moments merge with {@code treeAggregate}
 * (Chan et al.'s update, in double), and the model transforms partitions through the kernels.
 *
 * <p>The statistics are norm4j's (and scikit-learn's), not Spark ML's StandardScaler's: the scale
 * is the population standard deviation (divided by n, not n - 1), a constant feature scales by 1,
 * centring is on by default ({@code withMean}), NaN values are skipped when fitting and stay NaN.
 * Null rows are skipped when fitting and stay null.
 */
public final class NativeStandardScaler extends FeatureEstimator<NativeStandardScaler, NativeStandardScalerModel>
        implements HasStandardScalerParams<NativeStandardScaler> {
    private static final long serialVersionUID = 1L;

    private final HasStandardScalerParams.Holder standard;

    public NativeStandardScaler() {
        this(Uids.random("norm4jStandardScaler"));
    }

    public NativeStandardScaler(String uid) {
        super(uid);
        standard = new HasStandardScalerParams.Holder(this);
    }

    @Override
    public HasStandardScalerParams.Holder standardParams() {
        return standard;
    }

    @Override
    public NativeStandardScalerModel fit(Dataset<?> data) {
        transformSchema(data.schema());
        String column = getInputCol();
        ChannelMoments none = ChannelMoments.empty(0);
        ChannelMoments total = FeatureColumns.partialFits(data, column, none,
                        (state, batch) -> PartialMoments.merge(column, state, Norms.auto().featureMoments(batch)))
                .treeAggregate(none, (a, b) -> PartialMoments.merge(column, a, b), (a, b) -> PartialMoments.merge(column, a, b), 2);
        if (total.channels() == 0) throw new IllegalArgumentException("column '" + column + "' has no non-null row to fit");
        NativeStandardScalerModel model = new NativeStandardScalerModel(uid(), total);
        copyValues(model, new ParamMap());
        return model.setParent(this);
    }

    public static MLReader<NativeStandardScaler> read() {
        return Persistence.reader(NativeStandardScaler.class, false, (uid, data) -> new NativeStandardScaler(uid));
    }

    public static NativeStandardScaler load(String path) {
        return read().load(path);
    }
}
