package io.norm4j;

/**
 * How a tensor of N samples, C channels and spatial positions is stored. Batch, group and instance
 * norm accept both; layer norm and RMS norm work on the trailing dimensions and need no layout.
 */
public enum Layout {
    /** Channels first, PyTorch's default: shape [N, C, spatial...]. */
    NCHW("nchw"),
    /** Channels last: shape [N, spatial..., C]. */
    NHWC("nhwc");

    private final String id;

    Layout(String id) {
        this.id = id;
    }

    /** Name used in reports and JSON ("nchw"). */
    public String id() {
        return id;
    }

    /** The value of NORM4J_LAYOUT_* in the C ABI. */
    int code() {
        return this == NCHW ? 0 : 1;
    }

    /** Index of the channel dimension in a shape of the given rank. */
    public int channelDim(int rank) {
        return this == NCHW ? 1 : rank - 1;
    }
}
