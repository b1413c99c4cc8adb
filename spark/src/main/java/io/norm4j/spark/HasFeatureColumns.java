package io.norm4j.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * The input and output columns (Spark ML's inputCol and outputCol) of the scalers' estimators and
 * models: declared once here, held per instance by {@link Holder}.
 *
 * @param <T> the implementing class, so setters chain
 */
public interface HasFeatureColumns<T extends HasFeatureColumns<T>> extends Params {
    /** This instance's params. */
    Holder columnParams();

    default Param<String> inputCol() {
        return columnParams().inputCol;
    }

    default Param<String> outputCol() {
        return columnParams().outputCol;
    }

    default String getInputCol() {
        return isDefined(inputCol()) ? getOrDefault(inputCol()) : null;
    }

    default String getOutputCol() {
        return getOrDefault(outputCol());
    }

    @SuppressWarnings("unchecked")
    default T setInputCol(String column) {
        set(inputCol(), column);
        return (T) this;
    }

    @SuppressWarnings("unchecked")
    default T setOutputCol(String column) {
        set(outputCol(), column);
        return (T) this;
    }

    /** The params of one instance; the output column defaults to {@code <uid>__output}. */
    final class Holder implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final Param<String> inputCol, outputCol;

        Holder(Params parent) {
            inputCol = new Param<>(parent.uid(), "inputCol", "column of feature vectors: array<float> or Vector");
            outputCol = new Param<>(parent.uid(), "outputCol", "column the scaled vectors go to, of the input's type");
            parent.setDefault(outputCol, parent.uid() + "__output");
        }
    }
}
