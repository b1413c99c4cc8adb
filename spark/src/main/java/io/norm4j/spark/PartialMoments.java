package io.norm4j.spark;

import io.norm4j.ChannelMoments;

/** The merge of standard-scaler partial fits across partitions. */
final class PartialMoments {
    private PartialMoments() {}

    /** a and b merged: moments of no features (a partition without rows) merge as nothing. */
    static ChannelMoments merge(String column, ChannelMoments a, ChannelMoments b) {
        if (a.channels() == 0) return b;
        if (b.channels() == 0) return a;
        if (a.channels() != b.channels()) {
            throw new IllegalArgumentException("column '" + column + "' holds vectors of " + a.channels() + " and of "
                    + b.channels() + " values; every row must have the same length");
        }
        return a.merge(b);
    }
}
