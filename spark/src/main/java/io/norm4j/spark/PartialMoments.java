package io.norm4j.spark;

import io.norm4j.ChannelMoments;

/** The merge of standard-scaler partial fits across partitions. */
final class PartialMoments {
    private PartialMoments() {}

    /** a and b merged: moments of no features (a partition without rows) merge as nothing. */
    static ChannelMoments merge(String column, ChannelMoments a, ChannelMoments b) {
        if (a.channels() == 0) return b;
        if (b.channels() == 0) return a;
        FeatureColumns.requireLength(column, a.channels(), b.channels());
        return a.merge(b);
    }
}
