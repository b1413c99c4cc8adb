package io.norm4j;

import java.util.Objects;

/** A tensor seen as [n, c, s]: samples, channels, and the product of the spatial sizes. */
record ChannelShape(long n, long c, long s) {

    long count() {
        return n * c * s;
    }

    boolean empty() {
        return n == 0 || c == 0 || s == 0;
    }

    /**
     * Reads [N, C, spatial...] (NCHW) or [N, spatial..., C] (NHWC) from {@code x}'s shape.
     *
     * @param op the norm: instance norm needs a spatial dimension (rank 3), batch and group norm
     *     also take [N, C]
     */
    static ChannelShape of(String name, Tensor x, Layout layout, Op op) {
        Objects.requireNonNull(layout, "layout");
        long[] d = x.dims();
        int minRank = op == Op.INSTANCE_NORM ? 3 : 2;
        if (d.length < minRank) {
            throw new IllegalArgumentException(name + " has rank " + d.length + " (shape " + Shapes.format(d)
                    + ") but " + op.id() + " needs rank >= " + minRank + ": [N, C" + (minRank > 2 ? ", spatial..." : "")
                    + "] in " + layout.id());
        }
        int cd = layout.channelDim(d.length);
        long spatial = 1;
        for (int i = 1; i < d.length; i++) {
            if (i == cd) continue;
            try {
                spatial = Math.multiplyExact(spatial, d[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + "'s spatial dimensions (shape " + Shapes.format(d)
                        + ") have more elements than a long holds", e);
            }
        }
        return new ChannelShape(d[0], d[cd], spatial);
    }
}
