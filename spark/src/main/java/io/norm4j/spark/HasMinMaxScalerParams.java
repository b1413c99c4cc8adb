package io.norm4j.spark;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Params;

/**
 * min and max, the range {@link NativeMinMaxScaler} and its model scale into ([0, 1] by default).
 *
 * @param <T> the implementing class, so setters chain
 */
public interface HasMinMaxScalerParams<T extends HasMinMaxScalerParams<T>> extends Params {
    /** This instance's params. */
    Holder rangeParams();

    default DoubleParam min() {
        return rangeParams().min;
    }

    default DoubleParam max() {
        return rangeParams().max;
    }

    default double getMin() {
        return (Double) getOrDefault(min());
    }

    default double getMax() {
        return (Double) getOrDefault(max());
    }

    @SuppressWarnings("unchecked")
    default T setMin(double value) {
        set(min(), value);
        return (T) this;
    }

    @SuppressWarnings("unchecked")
    default T setMax(double value) {
        set(max(), value);
        return (T) this;
    }

    /** The range as set, once min < max, both finite. */
    default void requireRange() {
        double lo = getMin(), hi = getMax();
        if (!(lo < hi) || Double.isInfinite(lo) || Double.isInfinite(hi)) {
            throw new IllegalArgumentException("min must be below max, both finite; got min " + lo + ", max " + hi);
        }
    }

    final class Holder implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final DoubleParam min, max;

        Holder(Params parent) {
            min = new DoubleParam(parent.uid(), "min", "lower end of the range features are scaled into");
            max = new DoubleParam(parent.uid(), "max", "upper end of the range features are scaled into");
            parent.setDefault(min, 0.0);
            parent.setDefault(max, 1.0);
        }
    }
}
