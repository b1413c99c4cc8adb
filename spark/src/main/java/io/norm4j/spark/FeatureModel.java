package io.norm4j.spark;

import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.sql.types.StructType;

/**
 * What the scalers' models share: a uid, the input and output columns (set from the estimator that
 * fitted them), the number of features they were fitted on, and the schema check.
 *
 * @param <M> the model's own type, so setters chain
 */
public abstract class FeatureModel<M extends FeatureModel<M>> extends Model<M> implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol, outputCol;

    protected FeatureModel(String uid) {
        this.uid = uid;
        this.inputCol = new Param<>(this, "inputCol", "column of feature vectors: array<float> or Vector");
        this.outputCol = new Param<>(this, "outputCol", "column the scaled vectors go to, of the input's type");
        setDefault(outputCol, uid + "__output");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> inputCol() {
        return inputCol;
    }

    public Param<String> outputCol() {
        return outputCol;
    }

    public String getInputCol() {
        return isDefined(inputCol) ? getOrDefault(inputCol) : null;
    }

    public String getOutputCol() {
        return getOrDefault(outputCol);
    }

    @SuppressWarnings("unchecked")
    public M setInputCol(String column) {
        set(inputCol, column);
        return (M) this;
    }

    @SuppressWarnings("unchecked")
    public M setOutputCol(String column) {
        set(outputCol, column);
        return (M) this;
    }

    /** Features per vector the model was fitted on. */
    public abstract int numFeatures();

    @Override
    public StructType transformSchema(StructType schema) {
        return FeatureColumns.outputSchema(schema, getInputCol(), getOutputCol());
    }
}
