package io.norm4j.cli;

import io.norm4j.Activation;
import io.norm4j.DType;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Op;
import io.norm4j.Tensor;
import io.norm4j.parity.InputDistribution;
import java.util.ArrayList;
import java.util.List;

/**
 * What `bench` times: every op, direction and layout on the shapes the project is judged by.
 * A case prepares its tensors for one backend and hands back the call to time; its bytes are
 * the ones that must move (forward: read x, write y; backward: read x and dy, write dx), at their
 * stored width: the large cases have bf16 and f16 twins.
 */
final class BenchCases {
    private BenchCases() {}

    /** One timed call on prepared tensors; close() frees them. */
    interface Prepared extends AutoCloseable {
        void run();

        @Override
        void close();
    }

    interface Preparer {
        Prepared prepare(Norms norms);
    }

    /**
     * @param fused for a fused op, whether this row times the fused call (true) or the unfused
     *     sequence of the same backend's plain calls (false); null for the other ops
     */
    record Case(String op, String direction, String mode, String layout, long[] shape, DType dtype, long bytesPerCall,
            Boolean fused, Preparer preparer) {
        /**
         * Whether {@code norms}' backend runs this case's op in its direction on its storage type;
         * for the unfused residual sequence, whether it runs its parts (the add on its own, then
         * the plain norm), as ONEDNN does without the fused op.
         */
        boolean runsOn(io.norm4j.Norms norms) {
            Op o = Op.fromId(op);
            Op.Direction d = Op.Direction.fromId(direction);
            if (Boolean.FALSE.equals(fused) && (o == Op.ADD_LAYER_NORM || o == Op.ADD_RMS_NORM)) {
                return norms.supports(Op.ADD, Op.Direction.FORWARD, dtype) && norms.supports(o.norm(), d, dtype);
            }
            return norms.supports(o, d, dtype);
        }
    }

    /** The storage types every large case is also timed in. */
    private static final DType[] HALF_TWINS = {DType.BFLOAT16, DType.FLOAT16};

    /** Bytes per call up to which a case belongs to the main job's short table: calls that fit the caches. */
    static final long QUICK_BYTES = 4L << 20;

    /** The main job's short timing table: the default cases small enough to time in a few seconds. */
    static List<Case> quick() {
        return cases(false).stream().filter(c -> c.bytesPerCall() <= QUICK_BYTES).toList();
    }

    static List<Case> cases(boolean full) {
        List<Case> all = new ArrayList<>();
        long[][] rows = full
                ? new long[][] {{1, 768}, {32, 768}, {512, 1024}, {4096, 1024}, {256, 4096}}
                : new long[][] {{1, 768}, {32, 768}, {512, 1024}, {4096, 1024}};
        for (long[] s : rows) {
            for (boolean rms : new boolean[] {false, true}) {
                String op = rms ? "rms_norm" : "layer_norm";
                if (!full && rms && s[0] > 512) continue;
                all.add(rowCase(op, "inference", s, rms, DType.FLOAT32));
                if (full) all.add(rowCase(op, "training", s, rms, DType.FLOAT32));
                all.add(rowCase(op, "backward", s, rms, DType.FLOAT32));
                if (s[0] * s[1] < 4096 * 1024) continue;
                for (DType t : HALF_TWINS) {
                    all.add(rowCase(op, "inference", s, rms, t));
                    all.add(rowCase(op, "backward", s, rms, t));
                }
            }
        }
        long[][] channels = full
                ? new long[][] {{32, 64, 56, 56}, {8, 256, 14, 14}, {128, 1024}}
                : new long[][] {{32, 64, 56, 56}, {128, 1024}};
        for (long[] s : channels)
            for (Layout layout : s.length == 2 ? new Layout[] {Layout.NCHW} : Layout.values()) {
                all.add(batchCase("inference", s, layout, DType.FLOAT32));
                all.add(batchCase("training", s, layout, DType.FLOAT32));
                all.add(batchCase("backward", s, layout, DType.FLOAT32));
                if (s.length == 2) continue;
                for (DType t : HALF_TWINS) {
                    all.add(batchCase("training", s, layout, t));
                    all.add(batchCase("backward", s, layout, t));
                }
            }
        long[][] groups = full ? new long[][] {{32, 64, 56, 56}, {8, 512, 32, 32}} : new long[][] {{8, 512, 32, 32}};
        for (long[] s : groups)
            for (Layout layout : Layout.values()) {
                all.add(groupCase("group_norm", "training", s, layout, 32, DType.FLOAT32));
                all.add(groupCase("group_norm", "backward", s, layout, 32, DType.FLOAT32));
                if (s[1] != 512) continue;
                for (DType t : HALF_TWINS) {
                    all.add(groupCase("group_norm", "training", s, layout, 32, t));
                    all.add(groupCase("group_norm", "backward", s, layout, 32, t));
                }
            }
        for (long[] s : full ? new long[][] {{32, 768}, {4096, 1024}, {256, 4096}} : new long[][] {{32, 768}, {4096, 1024}})
            for (boolean rms : new boolean[] {true, false})
                for (DType t : s[0] * s[1] < 4096 * 1024 ? new DType[] {DType.FLOAT32}
                        : full ? DType.values() : new DType[] {DType.FLOAT32, DType.BFLOAT16})
                    for (String mode : new String[] {"inference", "backward"})
                        for (boolean fused : new boolean[] {true, false}) all.add(residualCase(mode, s, rms, t, fused));
        for (DType t : new DType[] {DType.FLOAT32, DType.BFLOAT16}) {
            all.add(adaptiveCase("inference", new long[] {16, 256, 1152}, t));
            all.add(adaptiveCase("backward", new long[] {16, 256, 1152}, t));
        }
        for (Layout layout : Layout.values())
            for (String mode : new String[] {"inference", "backward"})
                for (boolean fused : new boolean[] {true, false}) {
                    all.add(activatedCase(mode, new long[] {8, 512, 32, 32}, layout, 32, fused));
                    all.add(activatedCase(mode, new long[] {32, 64, 56, 56}, layout, 0, fused));
                }
        if (full) for (DType t : DType.values()) all.add(minMaxCase(new long[] {4096, 1024}, t));
        if (full) {
            long[] s = {8, 64, 128, 128};
            for (Layout layout : Layout.values()) {
                all.add(groupCase("instance_norm", "training", s, layout, 64, DType.FLOAT32));
                all.add(groupCase("instance_norm", "backward", s, layout, 64, DType.FLOAT32));
            }
        }
        return all;
    }

    private static long numel(long[] s) {
        long n = 1;
        for (long d : s) n *= d;
        return n;
    }

    private static Tensor data(DType t, long[] shape, long seed) {
        return Tensor.of(t, InputDistribution.NORMAL.generate(1, Math.toIntExact(numel(shape)), seed), shape);
    }

    private static Case rowCase(String op, String mode, long[] s, boolean rms, DType t) {
        boolean backward = mode.equals("backward");
        long rows = s[0];
        long[] ns = {s[1]};
        long bytes = (backward ? 3 : 2) * numel(s) * t.bytes();
        return new Case(op, backward ? "backward" : "forward", backward ? "training" : mode, "rows", s, t, bytes, null,
                norms -> {
                    Tensor x = data(t, s, 1), y = Tensor.allocate(t, s), w = Tensor.allocate(ns).fill(1.5f);
                    Tensor b = Tensor.allocate(ns).fill(0.25f), mean = Tensor.allocate(rows), rstd = Tensor.allocate(rows);
                    Tensor dy = backward ? data(t, s, 2) : null, dw = Tensor.allocate(ns), db = Tensor.allocate(ns);
                    if (backward) {
                        if (rms) norms.rmsNormTraining(x, ns, w, 1e-5, y, rstd);
                        else norms.layerNormTraining(x, ns, w, b, 1e-5, y, mean, rstd);
                    }
                    Runnable call = switch (mode) {
                        case "inference" -> rms ? () -> norms.rmsNorm(x, ns, w, 1e-5, y)
                                : () -> norms.layerNorm(x, ns, w, b, 1e-5, y);
                        case "training" -> rms ? () -> norms.rmsNormTraining(x, ns, w, 1e-5, y, rstd)
                                : () -> norms.layerNormTraining(x, ns, w, b, 1e-5, y, mean, rstd);
                        default -> rms ? () -> norms.rmsNormBackward(x, dy, ns, w, rstd, y, dw)
                                : () -> norms.layerNormBackward(x, dy, ns, w, mean, rstd, y, dw, db);
                    };
                    return prepared(call, x, y, w, b, mean, rstd, dy, dw, db);
                });
    }

    /** Min-max scaling's transform of x into [-1, 1] with extrema fitted beforehand. */
    private static Case minMaxCase(long[] s, DType t) {
        long[] features = {s[1]};
        return new Case("min_max", "forward", "inference", "rows", s, t, 2 * numel(s) * t.bytes(), null, norms -> {
            Tensor x = data(t, s, 1), y = Tensor.allocate(t, s);
            Tensor mn = Tensor.allocate(features), mx = Tensor.allocate(features);
            norms.minMaxFit(x, mn, mx);
            return prepared(() -> norms.minMaxTransform(x, mn, mx, -1, 1, y), x, y, mn, mx);
        });
    }

    private static Case batchCase(String mode, long[] nchw, Layout layout, DType t) {
        long[] s = layout == Layout.NCHW || nchw.length == 2 ? nchw : new long[] {nchw[0], nchw[2], nchw[3], nchw[1]};
        long c = nchw[1];
        boolean backward = mode.equals("backward");
        long bytes = (backward ? 3 : 2) * numel(s) * t.bytes();
        return new Case("batch_norm", backward ? "backward" : "forward", backward ? "training" : mode, layout.id(), s,
                t, bytes, null, norms -> {
                    Tensor x = data(t, s, 1), y = Tensor.allocate(t, s), w = Tensor.allocate(c).fill(1.5f);
                    Tensor b = Tensor.allocate(c), rm = Tensor.allocate(c), rv = Tensor.allocate(c).fill(1f);
                    Tensor mean = Tensor.allocate(c), rstd = Tensor.allocate(c), dy = backward ? data(t, s, 2) : null;
                    Tensor dw = Tensor.allocate(c), db = Tensor.allocate(c);
                    if (backward) norms.batchNormTraining(x, layout, rm, rv, w, b, 0.1, 1e-5, y, mean, rstd);
                    Runnable call = switch (mode) {
                        case "inference" -> () -> norms.batchNorm(x, layout, rm, rv, w, b, 1e-5, y);
                        case "training" -> () -> norms.batchNormTraining(x, layout, rm, rv, w, b, 0.1, 1e-5, y, mean, rstd);
                        default -> () -> norms.batchNormBackward(x, dy, layout, w, mean, rstd, y, dw, db);
                    };
                    return prepared(call, x, y, w, b, rm, rv, mean, rstd, dy, dw, db);
                });
    }

    private static Case groupCase(String op, String mode, long[] nchw, Layout layout, long groups, DType t) {
        long[] s = layout == Layout.NCHW ? nchw : new long[] {nchw[0], nchw[2], nchw[3], nchw[1]};
        long n = nchw[0], c = nchw[1];
        boolean backward = mode.equals("backward"), instance = op.equals("instance_norm");
        long bytes = (backward ? 3 : 2) * numel(s) * t.bytes();
        return new Case(op, backward ? "backward" : "forward", "training", layout.id(), s, t, bytes, null,
                norms -> {
                    Tensor x = data(t, s, 1), y = Tensor.allocate(t, s), w = Tensor.allocate(c).fill(1.5f);
                    Tensor b = Tensor.allocate(c), mean = Tensor.allocate(n, groups), rstd = Tensor.allocate(n, groups);
                    Tensor dy = backward ? data(t, s, 2) : null, dw = Tensor.allocate(c), db = Tensor.allocate(c);
                    Runnable forward = instance
                            ? () -> norms.instanceNormTraining(x, layout, null, null, w, b, 0.1, 1e-5, y, mean, rstd)
                            : () -> norms.groupNormTraining(x, layout, groups, w, b, 1e-5, y, mean, rstd);
                    if (backward) forward.run();
                    Runnable call = !backward ? forward
                            : instance ? () -> norms.instanceNormBackward(x, dy, layout, w, mean, rstd, y, dw, db)
                            : () -> norms.groupNormBackward(x, dy, layout, groups, w, mean, rstd, y, dw, db);
                    return prepared(call, x, y, w, b, mean, rstd, dy, dw, db);
                });
    }

    /**
     * The residual add fused with RMS norm or layer norm, or (fused false) the same on the backend's
     * plain calls: the add as its own pass, then the norm; backward, the norm's backward, then dh
     * added as its own pass. Bytes: forward reads x and residual and writes h and y; backward reads
     * h, dy and dh and writes dx.
     */
    private static Case residualCase(String mode, long[] s, boolean rms, DType t, boolean fused) {
        boolean backward = mode.equals("backward");
        long rows = s[0];
        long[] ns = {s[1]};
        long bytes = 4 * numel(s) * t.bytes();
        return new Case(rms ? "add_rms_norm" : "add_layer_norm", backward ? "backward" : "forward",
                backward ? "training" : mode, "rows", s, t, bytes, fused, norms -> {
                    Tensor x = data(t, s, 1), r = data(t, s, 3), h = Tensor.allocate(t, s), y = Tensor.allocate(t, s);
                    Tensor w = Tensor.allocate(ns).fill(1.5f), b = rms ? null : Tensor.allocate(ns).fill(0.25f);
                    Tensor mean = Tensor.allocate(rows), rstd = Tensor.allocate(rows), dw = Tensor.allocate(ns);
                    Tensor db = rms ? null : Tensor.allocate(ns), dy = backward ? data(t, s, 2) : null;
                    Tensor dh = backward ? data(t, s, 4) : null, g = backward && !fused ? Tensor.allocate(s) : null;
                    // h and the statistics the backward reads, by the calls the row times.
                    if (backward && fused) {
                        if (rms) norms.addRmsNormTraining(x, r, ns, w, 0, 1e-5, h, y, rstd);
                        else norms.addLayerNormTraining(x, r, ns, w, 0, b, 1e-5, h, y, mean, rstd);
                    } else if (backward) {
                        norms.add(x, r, h);
                        if (rms) norms.rmsNormTraining(h, ns, w, 1e-5, y, rstd);
                        else norms.layerNormTraining(h, ns, w, b, 1e-5, y, mean, rstd);
                    }
                    Runnable call;
                    if (!backward && fused) {
                        call = rms ? () -> norms.addRmsNorm(x, r, ns, w, 0, 1e-5, h, y)
                                : () -> norms.addLayerNorm(x, r, ns, w, 0, b, 1e-5, h, y);
                    } else if (!backward) {
                        call = () -> {
                            norms.add(x, r, h);
                            if (rms) norms.rmsNorm(h, ns, w, 1e-5, y);
                            else norms.layerNorm(h, ns, w, b, 1e-5, y);
                        };
                    } else if (fused) {
                        call = rms ? () -> norms.addRmsNormBackward(h, dy, dh, ns, w, 0, rstd, y, dw)
                                : () -> norms.addLayerNormBackward(h, dy, dh, ns, w, 0, mean, rstd, y, dw, db);
                    } else {
                        // The norm's dx in f32, then dh added: the fused call's rounding, in two passes.
                        call = () -> {
                            if (rms) norms.rmsNormBackward(h, dy, ns, w, rstd, g, dw);
                            else norms.layerNormBackward(h, dy, ns, w, mean, rstd, g, dw, db);
                            norms.add(g, dh, y);
                        };
                    }
                    return prepared(call, x, r, h, y, w, b, mean, rstd, dw, db, dy, dh, g);
                });
    }

    /**
     * Group norm fused with SiLU (groups > 0) or batch norm fused with ReLU (groups 0; inference with
     * running statistics), or (fused false) the backend's plain norm and the activation as its own
     * pass; backward, the unfused forward keeps the norm's output, whose activation backward runs as
     * its own pass before the norm's backward. Bytes: forward reads x and writes y; backward reads x
     * and dy and writes dx.
     */
    private static Case activatedCase(String mode, long[] s, Layout layout, long groups, boolean fused) {
        boolean backward = mode.equals("backward"), batch = groups == 0;
        long[] shape = layout == Layout.NCHW ? s : new long[] {s[0], s[2], s[3], s[1]}, perChannel = {s[1]};
        long stats = batch ? s[1] : s[0] * groups;
        Activation a = batch ? Activation.RELU : Activation.SILU;
        long bytes = (backward ? 3 : 2) * numel(s) * 4;
        return new Case(batch ? "batch_norm_relu" : "group_norm_silu", backward ? "backward" : "forward",
                backward ? "training" : mode, layout.id(), shape, DType.FLOAT32, bytes, fused, norms -> {
                    Tensor x = data(DType.FLOAT32, shape, 1), y = Tensor.allocate(shape), pre = Tensor.allocate(shape);
                    Tensor w = Tensor.allocate(perChannel).fill(1.5f), b = Tensor.allocate(perChannel).fill(0.25f);
                    Tensor rm = Tensor.allocate(perChannel).fill(0.1f), rv = Tensor.allocate(perChannel).fill(1.2f);
                    Tensor mean = Tensor.allocate(stats), rstd = Tensor.allocate(stats);
                    Tensor dw = Tensor.allocate(perChannel), db = Tensor.allocate(perChannel);
                    Tensor dy = backward ? data(DType.FLOAT32, shape, 2) : null;
                    if (backward && batch) norms.batchNormTraining(x, layout, null, null, w, b, 0.1, 1e-5, pre, mean, rstd);
                    if (backward && !batch) norms.groupNormTraining(x, layout, groups, w, b, 1e-5, pre, mean, rstd);
                    Runnable call;
                    if (!backward && fused) {
                        call = batch ? () -> norms.batchNormRelu(x, layout, rm, rv, w, b, 1e-5, y)
                                : () -> norms.groupNormSilu(x, layout, groups, w, b, 1e-5, y);
                    } else if (!backward) {
                        call = () -> {
                            if (batch) norms.batchNorm(x, layout, rm, rv, w, b, 1e-5, pre);
                            else norms.groupNorm(x, layout, groups, w, b, 1e-5, pre);
                            norms.activate(a, pre, y);
                        };
                    } else if (fused) {
                        call = batch ? () -> norms.batchNormReluBackward(x, dy, layout, w, b, mean, rstd, y, dw, db)
                                : () -> norms.groupNormSiluBackward(x, dy, layout, groups, w, b, mean, rstd, y, dw, db);
                    } else {
                        call = () -> {
                            norms.activationBackward(a, pre, dy, y);
                            if (batch) norms.batchNormBackward(x, y, layout, w, mean, rstd, y, dw, db);
                            else norms.groupNormBackward(x, y, layout, groups, w, mean, rstd, y, dw, db);
                        };
                    }
                    return prepared(call, x, y, pre, w, b, rm, rv, mean, rstd, dw, db, dy);
                });
    }

    /** Adaptive layer norm on DiT-XL's token shape: x [N, T, D], per-sample scale and shift [N, D]. */
    private static Case adaptiveCase(String mode, long[] s, DType t) {
        boolean backward = mode.equals("backward");
        long[] perSample = {s[0], s[2]}, perRow = {s[0], s[1]};
        long bytes = (backward ? 3 : 2) * numel(s) * t.bytes();
        return new Case("ada_layer_norm", backward ? "backward" : "forward", backward ? "training" : mode, "rows", s, t,
                bytes, null, norms -> {
                    Tensor x = data(t, s, 1), y = Tensor.allocate(t, s), scale = data(DType.FLOAT32, perSample, 5);
                    Tensor shift = data(DType.FLOAT32, perSample, 6), mean = Tensor.allocate(perRow);
                    Tensor rstd = Tensor.allocate(perRow), dy = backward ? data(t, s, 2) : null;
                    Tensor ds = Tensor.allocate(perSample), dh = Tensor.allocate(perSample);
                    if (backward) norms.adaLayerNormTraining(x, scale, shift, 1e-6, y, mean, rstd);
                    Runnable call = backward
                            ? () -> norms.adaLayerNormBackward(x, dy, scale, mean, rstd, y, ds, dh)
                            : () -> norms.adaLayerNorm(x, scale, shift, 1e-6, y);
                    return prepared(call, x, y, scale, shift, mean, rstd, dy, ds, dh);
                });
    }

    private static Prepared prepared(Runnable call, Tensor... tensors) {
        return new Prepared() {
            @Override
            public void run() {
                call.run();
            }

            @Override
            public void close() {
                for (Tensor t : tensors) if (t != null) t.close();
            }
        };
    }
}
