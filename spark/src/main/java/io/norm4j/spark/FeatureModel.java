package io.norm4j.spark;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.types.StructType;

/**
 * What the scalers' models share: a uid, the input and output columns (copied from the estimator
 * that fitted them), the number of features they were fitted on, and the schema check.
 *
 * @param <M> the model's own type, so setters chain
 */
public abstract class FeatureModel<M extends FeatureModel<M>> extends Model<M>
        implements HasFeatureColumns<M>, MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Holder columns;

    protected FeatureModel(String uid) {
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

    /** Features per vector the model was fitted on. */
    public abstract int numFeatures();

    @Override
    public StructType transformSchema(StructType schema) {
        return FeatureColumns.outputSchema(schema, getInputCol(), getOutputCol());
    }
}
