package io.norm4j.spark;

import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.Params;

/**
 * withMean and withStd of {@link NativeStandardScaler} and its model (both true by default).
 *
 * @param <T> the implementing class, so setters chain
 */
public interface HasStandardScalerParams<T extends HasStandardScalerParams<T>> extends Params {
    /** This instance's params. */
    Holder standardParams();

    default BooleanParam withMean() {
        return standardParams().withMean;
    }

    default BooleanParam withStd() {
        return standardParams().withStd;
    }

    default boolean getWithMean() {
        return (Boolean) getOrDefault(withMean());
    }

    default boolean getWithStd() {
        return (Boolean) getOrDefault(withStd());
    }

    @SuppressWarnings("unchecked")
    default T setWithMean(boolean value) {
        set(withMean(), value);
        return (T) this;
    }

    @SuppressWarnings("unchecked")
    default T setWithStd(boolean value) {
        set(withStd(), value);
        return (T) this;
    }

    final class Holder implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final BooleanParam withMean, withStd;

        Holder(Params parent) {
            withMean = new BooleanParam(parent.uid(), "withMean", "whether to centre each feature on its mean");
            withStd = new BooleanParam(parent.uid(), "withStd", "whether to divide each feature by its standard deviation");
            parent.setDefault(withMean, true);
            parent.setDefault(withStd, true);
        }
    }
}
