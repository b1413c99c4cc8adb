package io.norm4j.parity;

import io.norm4j.Layout;

/** Offsets in an [n, c, s] tensor stored channels-first or channels-last. */
record ChannelIndexing(int n, int c, int s, Layout layout) {

    int offset(int sample, int channel, int position) {
        return layout == Layout.NCHW ? (sample * c + channel) * s + position : (sample * s + position) * c + channel;
    }

    /** [N, C, spatial...] or [N, spatial..., C] for the given spatial sizes. */
    static long[] shape(int n, int c, int[] spatial, Layout layout) {
        long[] d = new long[spatial.length + 2];
        d[0] = n;
        int cd = layout == Layout.NCHW ? 1 : d.length - 1;
        d[cd] = c;
        int k = 0;
        for (int i = 1; i < d.length; i++) if (i != cd) d[i] = spatial[k++];
        return d;
    }

    static int product(int[] spatial) {
        int p = 1;
        for (int v : spatial) p = Math.multiplyExact(p, v);
        return p;
    }
}
