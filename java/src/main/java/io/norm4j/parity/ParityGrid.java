package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Layout;
import io.norm4j.Norms;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * The parity suite's cases, in one list that the JUnit suite and the CLI's {@code parity} both
 * run: every op x layout x mode x affine x shape x input distribution. Shapes include the awkward
 * ones: single elements, widths around the 8- and 16-lane tiles, C = 1, 3, 23, 33, 257, spatial
 * 1x1, N = 1, groups = 1 and groups = C.
 */
public final class ParityGrid {
    private ParityGrid() {}

    /** How a case runs: on a backend, with its data (x, dy; y, dx) stored as a type. */
    public interface Runner extends BiFunction<Backend, DType, ParityResult> {}

    /** A named case that can run on any backend, its data stored as {@code dtype}. */
    public record Case(String op, String direction, String name, Runner runner, boolean nativeOnly, DType dtype) {
        /** An f32 case for every backend that supports its op. */
        public Case(String op, String direction, String name, Runner runner) {
            this(op, direction, name, runner, false, DType.FLOAT32);
        }

        /** An f32 case, NATIVE's only where {@code nativeOnly}. */
        public Case(String op, String direction, String name, Runner runner, boolean nativeOnly) {
            this(op, direction, name, runner, nativeOnly, DType.FLOAT32);
        }

        /** Runs the case on {@code backend} against REFERENCE. */
        public ParityResult run(Backend backend) {
            return runner.apply(backend, dtype);
        }

        /** The same case with its data stored as {@code type}. */
        public Case storedAs(DType type) {
            return new Case(op, direction, name + " " + type.id(), runner, nativeOnly, type);
        }

        /** Whether the case is meant for {@code backend} and {@code backend} supports its op on its storage type. */
        public boolean runsOn(Backend backend) {
            return (!nativeOnly || backend == Backend.NATIVE)
                    && Norms.on(backend).supports(io.norm4j.Op.fromId(op), io.norm4j.Op.Direction.fromId(direction), dtype);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final long[][] ROW_SHAPES = {
        {1, 1}, {1, 3}, {3, 7}, {2, 257}, {15, 768}, {257, 768}, {64, 1024}, {8, 4097}, {2, 65536}
    };

    /**
     * Backward only: rows longer than NATIVE's backward column block, in several chunks of row
     * groups with a partial last group. Kept out of ROW_SHAPES, and seeded apart, so that the
     * other cases keep their inputs.
     */
    static final long[] LONG_BACKWARD_ROWS = {40, 1500};

    /**
     * Backward only, seeded apart as above: one row, which NATIVE takes on its own path (the
     * parameter gradients written straight as floats), over whole vectors, more than one column
     * block and a ragged end.
     */
    static final long[] ONE_LONG_BACKWARD_ROW = {1, 1500};

    /**
     * (n, c, spatial) for batch norm (1d, 2d, 3d); the last two are inference-only (one value per
     * channel). 1040 channels are whole vectors past one block of 512 columns, over several tiles
     * of rows: NATIVE's channels-last dx for wide rows.
     */
    static final int[][][] BATCH_SHAPES = {
        {{4, 1}, {5, 5}}, {{2, 3}, {7}}, {{8, 23}, {}}, {{3, 33}, {4, 4}}, {{2, 257}, {3, 3}}, {{6, 16}, {1, 1}},
        {{2, 3}, {3, 4, 5}}, {{1, 3}, {8, 8}}, {{2, 1040}, {5, 7}}, {{1, 8}, {1, 1}}, {{1, 5}, {}}
    };

    /** (n, c, spatial, groups...) for group norm. */
    static final int[][][] GROUP_SHAPES = {
        {{2, 6}, {5, 5}, {1, 2, 3, 6}}, {{3, 33}, {4}, {3, 11, 33}}, {{2, 257}, {3, 3}, {1, 257}},
        {{1, 23}, {1, 1}, {1, 23}}, {{2, 64}, {7, 7}, {32}}, {{4, 3}, {}, {1, 3}}, {{2, 4}, {2, 3, 3}, {2}}
    };

    static final int[][][] INSTANCE_SHAPES = {
        {{2, 3}, {5, 5}}, {{3, 23}, {7}}, {{2, 33}, {4, 4}}, {{1, 257}, {3, 3}}, {{2, 5}, {2, 3, 4}}
    };

    static final int[][] MIN_MAX_SHAPES = {{1, 3}, {7, 3}, {100, 23}, {257, 33}, {64, 1024}, {3, 257}};

    private static final boolean[] BOTH = {false, true};

    /** Every how many cases {@link #sample()} takes one. */
    public static final int SAMPLE_STRIDE = 10;

    /**
     * A representative tenth of the grid for the CLI's main job: every {@value #SAMPLE_STRIDE}th
     * case, and the first case of each op, direction, mode, layout and input distribution the
     * stride would miss, in grid order; {@code parity} runs them all.
     */
    public static List<Case> sample() {
        return sampleOf(cases());
    }

    private static List<Case> sampleOf(List<Case> all) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<Case> sample = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Case c = all.get(i);
            String[] words = c.name().split(" ");
            String kind = c.op() + " " + c.direction() + " " + words[1] + " " + words[2] + " "
                    + c.name().replaceAll(".*\\] ", "").replace(" affine", "");
            if (seen.add(kind) || i % SAMPLE_STRIDE == 0) sample.add(c);
        }
        return sample;
    }

    /**
     * Every case: the f32 grid, then the bf16 and f16 twins of its sample ({@link #sample()}'s
     * choice from the f32 cases), whose data are stored as that type.
     */
    public static List<Case> cases() {
        List<Case> f32 = f32Cases();
        List<Case> all = new ArrayList<>(f32);
        List<Case> sampled = sampleOf(f32);
        for (DType type : new DType[] {DType.BFLOAT16, DType.FLOAT16})
            for (Case c : sampled) all.add(c.storedAs(type));
        return all;
    }

    private static List<Case> f32Cases() {
        List<Case> all = new ArrayList<>();
        long seed = 1;
        for (InputDistribution in : InputDistribution.values()) {
            for (boolean training : BOTH) {
                String mode = training ? "training" : "inference";
                for (boolean affine : BOTH) {
                    for (long[] s : ROW_SHAPES) {
                        long sd = seed++;
                        all.add(new Case("layer_norm", "forward", name("layer_norm", mode, "rows", s, in, affine),
                                (b, t) -> RowNormParity.run(b, s, 1, false, in, affine, training, sd, t)));
                    }
                    long sd3 = seed++;
                    long[] s3 = {4, 3, 5};
                    all.add(new Case("layer_norm", "forward", name("layer_norm", mode, "rows(last 2)", s3, in, affine),
                            (b, t) -> RowNormParity.run(b, s3, 2, false, in, affine, training, sd3, t)));
                    for (long[] s : new long[][] {{1, 1}, {3, 7}, {2, 257}, {15, 768}, {8, 4097}, {4, 3, 5}}) {
                        long sd = seed++;
                        int dims = s.length - 1;
                        all.add(new Case("rms_norm", "forward", name("rms_norm", mode, "rows", s, in, affine),
                                (b, t) -> RowNormParity.run(b, s, dims, true, in, affine, training, sd, t)));
                    }
                    for (Layout layout : Layout.values()) {
                        for (int[][] s : BATCH_SHAPES) {
                            if (training && s[0][0] * ChannelIndexing.product(s[1]) <= 1) continue;
                            long sd = seed++;
                            all.add(new Case("batch_norm", "forward", name("batch_norm", mode, layout.id(), shape(s), in, affine),
                                    (b, t) -> BatchNormParity.run(b, s[0][0], s[0][1], s[1], layout, in, affine, training, sd, t)));
                        }
                        for (int[][] s : GROUP_SHAPES) {
                            for (int groups : s[2]) {
                                long sd = seed++;
                                all.add(new Case("group_norm", "forward",
                                        name("group_norm(" + groups + ")", mode, layout.id(), shape(s), in, affine),
                                        (b, t) -> GroupNormParity.run(b, s[0][0], s[0][1], s[1], groups, layout, in, affine,
                                                training, sd, t)));
                            }
                        }
                        for (int[][] s : INSTANCE_SHAPES) {
                            long sd = seed++;
                            all.add(new Case("instance_norm", "forward", name("instance_norm", mode, layout.id(), shape(s), in, affine),
                                    (b, t) -> GroupNormParity.run(b, s[0][0], s[0][1], s[1], 0, layout, in, affine, training, sd, t)));
                        }
                    }
                }
                for (int[] s : MIN_MAX_SHAPES) {
                    long sd = seed++;
                    all.add(new Case("min_max", "forward", name("min_max", mode, "rows", new long[] {s[0], s[1]}, in, false),
                            (b, t) -> MinMaxParity.run(b, s[0], s[1], in, training, sd, t)));
                }
            }
        }
        addBackward(all);
        addResidual(all);
        addAdaptive(all);
        addActivated(all);
        addLargeOutputs(all);
        addLongChannels(all);
        return all;
    }

    /**
     * Calls too large for the last-level cache (4M values and more; a backward call, from 2.8M),
     * whose outputs NATIVE's SIMD kernels write around the caches (non-temporal stores from each
     * segment's first aligned block, ordinary ones for its head and tail): every backward dx
     * written in contiguous segments, channels-first batch norm's y (both modes), and every
     * channels-last output (written as one run per thread's rows, each vector's channels wrapping
     * round), with widths and channel counts that leave unaligned heads, ragged tails and every
     * phase. Rows forward of that size take their own paths too: short rows fused with the next
     * row's sums and prefetched ahead, long rows in two passes; so do channels-first batch norm
     * backward (plane by plane in memory order, both modes, rather than channel by channel) and
     * channels-last dx for channel counts of whole vectors (1040: blocks of columns over tiles of
     * rows, the next tile prefetched), and channels-last outputs of whole vectors (row by row).
     * They exist for those NATIVE paths and run on NATIVE only (each of its kernel sets). ONEDNN's
     * f32 statistics over groups this large fall outside the random-walk model of
     * {@link TolerancePolicy}: on linux-arm64, group norm nhwc [3, 149, 143, 66] was off by 2.6e-4
     * against a model bound of 2.4e-4.
     */
    private static void addLargeOutputs(List<Case> all) {
        InputDistribution in = InputDistribution.NORMAL;
        long[] rows = {1023, 4101};
        int[][] batch = {{5, 67}, {113, 111}}, group = {{3, 66}, {149, 143}}, wide = {{3, 1040}, {30, 30}};
        int[][] wideForward = {{5, 1040}, {30, 30}};
        all.add(nativeCase("layer_norm", "backward", name("layer_norm backward", "training", "rows", rows, in, true),
                (b, t) -> RowNormParity.runBackward(b, rows, 1, false, in, true, 300_001, t)));
        all.add(nativeCase("rms_norm", "backward", name("rms_norm backward", "training", "rows", rows, in, true),
                (b, t) -> RowNormParity.runBackward(b, rows, 1, true, in, true, 300_002, t)));
        long seed = 300_010;
        for (long[] fromMemory : new long[][] {{16411, 257}, {1023, 4101}}) {
            for (boolean rms : BOTH) {
                String op = rms ? "rms_norm" : "layer_norm";
                long sd = seed++;
                all.add(nativeCase(op, "forward", name(op, "training", "rows", fromMemory, in, true),
                        (b, t) -> RowNormParity.run(b, fromMemory, 1, rms, in, true, true, sd, t)));
            }
        }
        all.add(nativeCase("group_norm", "backward", name("group_norm(6) backward", "training", "nchw", shape(group), in,
                true), (b, t) -> GroupNormParity.runBackward(b, 3, 66, group[1], 6, Layout.NCHW, in, true, 300_004, t)));
        all.add(nativeCase("batch_norm", "backward", name("batch_norm backward", "training", "nhwc", shape(wide), in, true),
                (b, t) -> BatchNormParity.runBackward(b, 3, 1040, wide[1], Layout.NHWC, in, true, true, 300_030, t)));
        all.add(nativeCase("batch_norm", "forward", name("batch_norm", "training", "nchw", shape(batch), in, true),
                (b, t) -> BatchNormParity.run(b, 5, 67, batch[1], Layout.NCHW, in, true, true, 300_009, t)));
        all.add(nativeCase("batch_norm", "forward", name("batch_norm", "inference", "nchw", shape(batch), in, true),
                (b, t) -> BatchNormParity.run(b, 5, 67, batch[1], Layout.NCHW, in, true, false, 300_034, t)));
        for (boolean training : BOTH) {
            String mode = training ? "training" : "inference";
            all.add(nativeCase("batch_norm", "forward", name("batch_norm", mode, "nhwc", shape(batch), in, true),
                    (b, t) -> BatchNormParity.run(b, 5, 67, batch[1], Layout.NHWC, in, true, training, 300_005, t)));
            all.add(nativeCase("batch_norm", "backward", name("batch_norm backward", mode, "nhwc", shape(batch), in, true),
                    (b, t) -> BatchNormParity.runBackward(b, 5, 67, batch[1], Layout.NHWC, in, true, training, 300_006, t)));
            all.add(nativeCase("batch_norm", "backward", name("batch_norm backward", mode, "nchw", shape(batch), in, true),
                    (b, t) -> BatchNormParity.runBackward(b, 5, 67, batch[1], Layout.NCHW, in, true, training,
                            training ? 300_003 : 300_031, t)));
            all.add(nativeCase("batch_norm", "forward", name("batch_norm", mode, "nhwc", shape(wideForward), in, true),
                    (b, t) -> BatchNormParity.run(b, 5, 1040, wideForward[1], Layout.NHWC, in, true, training,
                            training ? 300_032 : 300_033, t)));
        }
        all.add(nativeCase("group_norm", "forward", name("group_norm(6)", "training", "nhwc", shape(group), in, true),
                (b, t) -> GroupNormParity.run(b, 3, 66, group[1], 6, Layout.NHWC, in, true, true, 300_007, t)));
        all.add(nativeCase("group_norm", "backward", name("group_norm(6) backward", "training", "nhwc", shape(group), in,
                true), (b, t) -> GroupNormParity.runBackward(b, 3, 66, group[1], 6, Layout.NHWC, in, true, 300_008, t)));
    }

    /**
     * Channels-last batch norm training over a million rows per channel, on NATIVE only (as
     * {@link #addLargeOutputs}). NATIVE takes each channel's statistics in one pass about its first
     * value when the rounding error of those sums, bounded by the longest chain of additions any
     * term goes through (a chunk of rows, then the chunks), stays far below f32's: LARGE_MEAN's
     * channels are accepted there, OUTLIER_FIRST's (a first value 100 standard deviations out) are
     * sent to two passes. Both must meet the output-rounding tolerance.
     */
    private static void addLongChannels(List<Case> all) {
        int[] spatial = {256, 256};
        long[] shape = {16, 256, 256, 8};
        long seed = 300_020;
        for (InputDistribution in : new InputDistribution[] {InputDistribution.LARGE_MEAN, InputDistribution.OUTLIER_FIRST}) {
            long sd = seed++;
            all.add(nativeCase("batch_norm", "forward", name("batch_norm", "training", "nhwc", shape, in, true),
                    (b, t) -> BatchNormParity.run(b, 16, 8, spatial, Layout.NHWC, in, true, true, sd, t)));
        }
    }

    private static Case nativeCase(String op, String direction, String name, Runner run) {
        return new Case(op, direction, name, run, true);
    }

    /** Backward cases: every op with statistics, on the forward grid's shapes. */
    private static void addBackward(List<Case> all) {
        long seed = 100_000;
        long longRowSeed = 400_000, oneRowSeed = 500_000;
        for (InputDistribution in : InputDistribution.values()) {
            for (boolean affine : BOTH) {
                for (long[] s : ROW_SHAPES) {
                    long sd = seed++;
                    all.add(new Case("layer_norm", "backward", name("layer_norm backward", "training", "rows", s, in, affine),
                            (b, t) -> RowNormParity.runBackward(b, s, 1, false, in, affine, sd, t)));
                }
                for (boolean rms : BOTH) {
                    String op = rms ? "rms_norm" : "layer_norm";
                    long sd = longRowSeed++, sd1 = oneRowSeed++;
                    all.add(new Case(op, "backward", name(op + " backward", "training", "rows", LONG_BACKWARD_ROWS, in, affine),
                            (b, t) -> RowNormParity.runBackward(b, LONG_BACKWARD_ROWS, 1, rms, in, affine, sd, t)));
                    all.add(new Case(op, "backward", name(op + " backward", "training", "rows", ONE_LONG_BACKWARD_ROW, in, affine),
                            (b, t) -> RowNormParity.runBackward(b, ONE_LONG_BACKWARD_ROW, 1, rms, in, affine, sd1, t)));
                }
                for (long[] s : new long[][] {{1, 1}, {3, 7}, {2, 257}, {15, 768}, {8, 4097}, {4, 3, 5}}) {
                    long sd = seed++;
                    int dims = s.length - 1;
                    all.add(new Case("rms_norm", "backward", name("rms_norm backward", "training", "rows", s, in, affine),
                            (b, t) -> RowNormParity.runBackward(b, s, dims, true, in, affine, sd, t)));
                    long sd2 = seed++;
                    all.add(new Case("layer_norm", "backward",
                            name("layer_norm backward", "training", "rows(last " + dims + ")", s, in, affine),
                            (b, t) -> RowNormParity.runBackward(b, s, dims, false, in, affine, sd2, t)));
                }
                for (Layout layout : Layout.values()) {
                    for (int[][] s : BATCH_SHAPES) {
                        for (boolean training : BOTH) {
                            if (training && s[0][0] * ChannelIndexing.product(s[1]) <= 1) continue;
                            long sd = seed++;
                            all.add(new Case("batch_norm", "backward",
                                    name("batch_norm backward", training ? "training" : "inference", layout.id(), shape(s), in, affine),
                                    (b, t) -> BatchNormParity.runBackward(b, s[0][0], s[0][1], s[1], layout, in, affine, training, sd, t)));
                        }
                    }
                    for (int[][] s : GROUP_SHAPES) {
                        for (int groups : s[2]) {
                            long sd = seed++;
                            all.add(new Case("group_norm", "backward",
                                    name("group_norm(" + groups + ") backward", "training", layout.id(), shape(s), in, affine),
                                    (b, t) -> GroupNormParity.runBackward(b, s[0][0], s[0][1], s[1], groups, layout, in, affine, sd, t)));
                        }
                    }
                    for (int[][] s : INSTANCE_SHAPES) {
                        long sd = seed++;
                        all.add(new Case("instance_norm", "backward",
                                name("instance_norm backward", "training", layout.id(), shape(s), in, affine),
                                (b, t) -> GroupNormParity.runBackward(b, s[0][0], s[0][1], s[1], 0, layout, in, affine, sd, t)));
                    }
                }
            }
        }
    }

    /**
     * The residual add fused with RMS norm (Gemma's weight offset of 1 where affine) and with layer
     * norm (no offset), forward in both modes and backward, on the row shapes, every input; seeded
     * apart so that the other cases keep their inputs.
     */
    private static void addResidual(List<Case> all) {
        long seed = 600_000;
        for (InputDistribution in : InputDistribution.values())
            for (boolean affine : BOTH)
                for (long[] s : new long[][] {{1, 1}, {3, 7}, {2, 257}, {15, 768}, {8, 4097}})
                    for (boolean rms : BOTH) {
                        String op = rms ? "add_rms_norm" : "add_layer_norm";
                        float offset = rms ? 1 : 0;
                        for (boolean training : BOTH) {
                            long sd = seed++;
                            String mode = training ? "training" : "inference";
                            all.add(new Case(op, "forward", name(op, mode, "rows", s, in, affine),
                                    (b, t) -> ResidualNormParity.run(b, s, rms, in, affine, offset, training, sd, t)));
                        }
                        long sd = seed++;
                        all.add(new Case(op, "backward", name(op + " backward", "training", "rows", s, in, affine),
                                (b, t) -> ResidualNormParity.runBackward(b, s, rms, in, affine, offset, sd, t)));
                    }
    }

    /**
     * Adaptive layer norm, forward in both modes and backward, every input, on [N, T, D] shapes:
     * one sample, whole vectors, ragged widths; seeded apart as above.
     */
    private static void addAdaptive(List<Case> all) {
        long seed = 700_000;
        int[][] shapes = {{1, 1, 1}, {2, 3, 7}, {3, 5, 257}, {2, 16, 1152}};
        for (InputDistribution in : InputDistribution.values())
            for (int[] s : shapes) {
                long[] dims = {s[0], s[1], s[2]};
                for (boolean training : BOTH) {
                    long sd = seed++;
                    all.add(new Case("ada_layer_norm", "forward", name("ada_layer_norm", training ? "training" : "inference",
                            "rows", dims, in, true), (b, t) -> AdaLayerNormParity.run(b, s[0], s[1], s[2], in, training, sd, t)));
                }
                long sd = seed++;
                all.add(new Case("ada_layer_norm", "backward", name("ada_layer_norm backward", "training", "rows", dims, in,
                        true), (b, t) -> AdaLayerNormParity.runBackward(b, s[0], s[1], s[2], in, sd, t)));
            }
    }

    /**
     * Group norm fused with SiLU (32 groups as Stable Diffusion's, and few) and batch norm fused with
     * ReLU ([N, C] too), both layouts, forward in both modes and backward, every input; seeded
     * apart as above.
     */
    private static void addActivated(List<Case> all) {
        long seed = 800_000;
        int[][][] shapes = {{{2, 8}, {5, 7}}, {{3, 64}, {6, 6}}, {{1, 32}, {4, 4}}, {{6, 4}, {}}};
        for (InputDistribution in : InputDistribution.values())
            for (int[][] s : shapes)
                for (Layout layout : Layout.values())
                    for (int groups : new int[] {0, s[0][1] >= 32 ? 32 : 4}) {
                        String op = groups == 0 ? "batch_norm_relu" : "group_norm_silu";
                        long[] dims = shape(s);
                        for (boolean training : BOTH) {
                            long sd = seed++;
                            all.add(new Case(op, "forward", name(op, training ? "training" : "inference", layout.id(), dims,
                                    in, true), (b, t) -> ActivatedNormParity.run(b, s[0][0], s[0][1], s[1], groups, layout,
                                            in, training, sd, t)));
                        }
                        long sd = seed++;
                        all.add(new Case(op, "backward", name(op + " backward", "training", layout.id(), dims, in, true),
                                (b, t) -> ActivatedNormParity.runBackward(b, s[0][0], s[0][1], s[1], groups, layout, in, sd,
                                        t)));
                    }
    }

    private static long[] shape(int[][] s) {
        long[] d = new long[2 + s[1].length];
        d[0] = s[0][0];
        d[1] = s[0][1];
        for (int i = 0; i < s[1].length; i++) d[2 + i] = s[1][i];
        return d;
    }

    private static String name(String op, String mode, String layout, long[] shape, InputDistribution in, boolean affine) {
        return op + " " + mode + " " + layout + " " + java.util.Arrays.toString(shape) + " " + in.id()
                + (affine ? " affine" : "");
    }
}
