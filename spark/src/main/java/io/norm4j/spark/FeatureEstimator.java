package io.norm4j.spark;

import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.types.StructType;

/**
 * What the scalers' estimators share: a uid, the input and output columns (Spark ML's inputCol and
 * outputCol; the output defaults to {@code <uid>__output}), the schema check, copying and saving.
 *
 * @param <E> the estimator's own type, so setters chain
 * @param <M> the model it fits
 */
public abstract class FeatureEstimator<E extends FeatureEstimator<E, M>, M extends Model<M>> extends Estimator<M>
        implements MLWritable {
    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> inputCol, outputCol;

    protected FeatureEstimator(String uid) {
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
    public E setInputCol(String column) {
        set(inputCol, column);
        return (E) this;
    }

    @SuppressWarnings("unchecked")
    public E setOutputCol(String column) {
        set(outputCol, column);
        return (E) this;
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
