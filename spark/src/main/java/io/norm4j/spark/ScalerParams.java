package io.norm4j.spark;

import io.norm4j.ChannelMoments;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Params;

/** The scalers' own params, declared once for an estimator and its model, and the merge of partial fits. */
final class ScalerParams {
    private ScalerParams() {}

    static BooleanParam withMean(Params parent) {
        return new BooleanParam(parent.uid(), "withMean", "whether to centre each feature on its mean");
    }

    static BooleanParam withStd(Params parent) {
        return new BooleanParam(parent.uid(), "withStd", "whether to divide each feature by its standard deviation");
    }

    static DoubleParam min(Params parent) {
        return new DoubleParam(parent.uid(), "min", "lower end of the range features are scaled into");
    }

    static DoubleParam max(Params parent) {
        return new DoubleParam(parent.uid(), "max", "upper end of the range features are scaled into");
    }

    /** a and b merged: moments of no channels (a partition without rows) merge as nothing. */
    static ChannelMoments merge(String column, ChannelMoments a, ChannelMoments b) {
        if (a.channels() == 0) return b;
        if (b.channels() == 0) return a;
        if (a.channels() != b.channels()) {
            throw new IllegalArgumentException("column '" + column + "' holds vectors of " + a.channels() + " and of "
                    + b.channels() + " values; every row must have the same length");
        }
        return a.merge(b);
    }

    /** min < max, both finite. */
    static void requireRange(double min, double max) {
        if (!(min < max) || Double.isInfinite(min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException("min must be below max, both finite; got min " + min + ", max " + max);
        }
    }
}
