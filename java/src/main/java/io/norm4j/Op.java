package io.norm4j;

/** The operations norm4j offers, as backends and reports name them. */
public enum Op {
    LAYER_NORM("layer_norm"),
    RMS_NORM("rms_norm"),
    BATCH_NORM("batch_norm"),
    GROUP_NORM("group_norm"),
    INSTANCE_NORM("instance_norm"),
    MIN_MAX("min_max"),
    /**
     * The residual add on its own: {@code h = x + residual}, element-wise (forward only: its
     * gradient is the incoming one, for both inputs).
     */
    ADD("add"),
    /** Residual add fused with layer norm: {@code h = x + residual}, {@code y = layerNorm(h)}. */
    ADD_LAYER_NORM("add_layer_norm"),
    /** Residual add fused with RMS norm: {@code h = x + residual}, {@code y = rmsNorm(h)}. */
    ADD_RMS_NORM("add_rms_norm"),
    /**
     * Adaptive layer norm (DiT's modulate): {@code y = layerNorm(x) * (1 + scale[n]) + shift[n]}
     * for x [N, T, D] and per-sample scale and shift [N, D].
     */
    ADA_LAYER_NORM("ada_layer_norm"),
    /** Group norm whose output goes through SiLU in the same call: {@code y = silu(groupNorm(x))}. */
    GROUP_NORM_SILU("group_norm_silu"),
    /** Batch norm whose output goes through ReLU in the same call: {@code y = relu(batchNorm(x))}. */
    BATCH_NORM_RELU("batch_norm_relu");

    private final String id;

    Op(String id) {
        this.id = id;
    }

    /**
     * The norm of a fused op (the norm after a residual add, or before an activation), or the op
     * itself (the add on its own is its own).
     */
    public Op norm() {
        return switch (this) {
            case ADD_LAYER_NORM -> LAYER_NORM;
            case ADD_RMS_NORM -> RMS_NORM;
            case GROUP_NORM_SILU -> GROUP_NORM;
            case BATCH_NORM_RELU -> BATCH_NORM;
            default -> this;
        };
    }

    /** The activation a fused op applies after its norm, or null. */
    Activation activation() {
        return this == GROUP_NORM_SILU ? Activation.SILU : this == BATCH_NORM_RELU ? Activation.RELU : null;
    }

    /** The name used in logs and JSON reports, e.g. "layer_norm". */
    public String id() {
        return id;
    }

    /** The op named {@code id} ("layer_norm", ...). */
    public static Op fromId(String id) {
        for (Op op : values()) {
            if (op.id.equals(id)) return op;
        }
        throw new IllegalArgumentException("unknown op \"" + id + "\"; expected one of "
                + java.util.Arrays.stream(values()).map(Op::id).toList());
    }

    /** Forward (inference or training) or backward. */
    public enum Direction {
        FORWARD, BACKWARD;

        /** "forward" or "backward", as in reports. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Direction fromId(String id) {
            return valueOf(id.toUpperCase(java.util.Locale.ROOT));
        }
    }
}
