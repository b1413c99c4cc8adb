package io.norm4j.spark;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.types.StructType;

/**
 * What the scalers' estimators share: a uid, the input and output columns, the schema check,
 * copying and saving.
 *
 * @param <E> the estimator's own type, so setters chain
 * @param <M> the model it fits
 */
public abstract class FeatureEstimator<E extends FeatureEstimator<E, M>, M extends Model<M>> extends Estimator<M>
        implements HasFeatureColumns<E>, MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Holder columns;

    protected FeatureEstimator(String uid) {
        this.uid = uid;
        this.columns = new Holder(this);
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public Holder columnParams() {
        return columns;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return FeatureColumns.outputSchema(schema, getInputCol(), getOutputCol());
    }

    @Override
    public E copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return Persistence.writer(this, null, null);
    }
}
