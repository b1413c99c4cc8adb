package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every op and direction with bf16 and f16 data on REFERENCE and NATIVE: the result is the f32
 * call's on the exactly widened inputs, each data output rounded once to its type, bit for bit;
 * weights, statistics and parameter gradients stay f32. Arguments that make no sense are refused,
 * naming the argument, with nothing written.
 */
class HalfPrecisionOpsTest {
    /** The data tensors of one run: inputs stored as {@code in}, data outputs as {@code out}. */
    private static final class Run implements AutoCloseable {
        final Norms norms;
        final DType in, out;
        final boolean widenedF32;  // the f32 run the half one must match: inputs rounded to `in`, outputs f32
        final List<Tensor> made = new ArrayList<>();
        final Map<String, Tensor> outputs = new LinkedHashMap<>();

        Run(Backend backend, DType in, DType out, boolean widenedF32) {
            this.norms = Norms.on(backend);
            this.in = in;
            this.out = out;
            this.widenedF32 = widenedF32;
        }

        /** A data input (x, dy). */
        Tensor data(float[] values, long... shape) {
            float[] v = values.clone();
            if (widenedF32) for (int i = 0; i < v.length; i++) v[i] = in.roundTrip(v[i]);
            return keep(widenedF32 ? Tensor.of(v, shape) : Tensor.of(in, v, shape));
        }

        /** A data output (y, dx). */
        Tensor dataOut(String name, long... shape) {
            Tensor t = keep(widenedF32 ? Tensor.allocate(shape) : Tensor.allocate(out, shape));
            outputs.put(name, t);
            return t;
        }

        /** An f32 parameter. */
        Tensor param(float[] values, long... shape) {
            return keep(Tensor.of(values, shape));
        }

        /** An f32 output (statistics, parameter gradients, running statistics starting from values). */
        Tensor f32Out(String name, float[] start, long... shape) {
            Tensor t = keep(start == null ? Tensor.allocate(shape) : Tensor.of(start, shape));
            outputs.put(name, t);
            return t;
        }

        private Tensor keep(Tensor t) {
            made.add(t);
            return t;
        }

        /** Every output, widened; data outputs of the f32 run rounded to {@code out} as the half run stores them. */
        Map<String, float[]> read() {
            Map<String, float[]> m = new LinkedHashMap<>();
            outputs.forEach((name, t) -> {
                float[] v = t.toArray();
                boolean data = name.equals("y") || name.equals("dx");
                if (widenedF32 && data) for (int i = 0; i < v.length; i++) v[i] = out.roundTrip(v[i]);
                m.put(name, v);
            });
            return m;
        }

        @Override
        public void close() {
            made.forEach(Tensor::close);
        }
    }

    private interface Scenario {
        void run(Run r);
    }

    private static float[] values(int n, long seed, double scale, double offset) {
        Random rnd = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (offset + scale * rnd.nextGaussian());
        return v;
    }

    private static final float[] W6 = values(6, 3, 0.5, 1), B6 = values(6, 4, 0.5, 0);

    static Stream<Arguments> scenarios() {
        Map<String, Scenario> s = new LinkedHashMap<>();
        s.put("layer norm training", r -> r.norms.layerNormTraining(r.data(values(240, 1, 2, 3), 6, 40), new long[] {40},
                r.param(values(40, 2, 0.5, 1), 40), r.param(values(40, 5, 0.5, 0), 40), 1e-5,
                r.dataOut("y", 6, 40), r.f32Out("mean", null, 6), r.f32Out("rstd", null, 6)));
        // Many blocks of rows on several threads, a ragged last block and odd rows
        s.put("layer norm training 129x1031", r -> r.norms.layerNormTraining(r.data(values(129 * 1031, 30, 2, 3), 129, 1031),
                new long[] {1031}, r.param(values(1031, 31, 0.5, 1), 1031), r.param(values(1031, 32, 0.5, 0), 1031), 1e-5,
                r.dataOut("y", 129, 1031), r.f32Out("mean", null, 129), r.f32Out("rstd", null, 129)));
        s.put("rms norm 300x700", r -> r.norms.rmsNorm(r.data(values(300 * 700, 33, 2, 0), 300, 700), new long[] {700},
                r.param(values(700, 34, 0.5, 1), 700), 1e-5, r.dataOut("y", 300, 700)));
        s.put("layer norm backward 129x1031", r -> r.norms.layerNormBackward(r.data(values(129 * 1031, 35, 1, 0), 129, 1031),
                r.data(values(129 * 1031, 36, 1, 0), 129, 1031), new long[] {1031}, r.param(values(1031, 37, 0.5, 1), 1031),
                r.param(values(129, 38, 0.1, 0), 129), r.param(values(129, 39, 0.1, 1), 129), r.dataOut("dx", 129, 1031),
                r.f32Out("dweight", null, 1031), r.f32Out("dbias", null, 1031)));
        // Saved means whose rounding matters (|mean| rstd large): the corrected sums.
        s.put("layer norm backward 129x1031 saved mean far from zero", r -> r.norms.layerNormBackward(
                r.data(values(129 * 1031, 86, 1, 1000), 129, 1031), r.data(values(129 * 1031, 87, 1, 0), 129, 1031),
                new long[] {1031}, r.param(values(1031, 88, 0.5, 1), 1031), r.param(values(129, 89, 0.5, 1000), 129),
                r.param(values(129, 90, 0.1, 50), 129), r.dataOut("dx", 129, 1031), r.f32Out("dweight", null, 1031),
                r.f32Out("dbias", null, 1031)));
        // One row and rows shorter than a vector: the kernels' tails.
        s.put("layer norm backward 1x1031", r -> r.norms.layerNormBackward(r.data(values(1031, 91, 1, 0), 1, 1031),
                r.data(values(1031, 92, 1, 0), 1, 1031), new long[] {1031}, null, r.param(values(1, 93, 0.1, 0), 1),
                r.param(values(1, 94, 0.1, 1), 1), r.dataOut("dx", 1, 1031), null, null));
        s.put("rms norm backward 37x5", r -> r.norms.rmsNormBackward(r.data(values(185, 95, 1, 0), 37, 5),
                r.data(values(185, 96, 1, 0), 37, 5), new long[] {5}, r.param(values(5, 97, 0.5, 1), 5),
                r.param(values(37, 98, 0.1, 1), 37), r.dataOut("dx", 37, 5), r.f32Out("dweight", null, 5)));
        s.put("rms norm backward 300x700", r -> r.norms.rmsNormBackward(r.data(values(300 * 700, 40, 1, 0), 300, 700),
                r.data(values(300 * 700, 41, 1, 0), 300, 700), new long[] {700}, r.param(values(700, 42, 0.5, 1), 700),
                r.param(values(300, 43, 0.1, 1), 300), r.dataOut("dx", 300, 700), r.f32Out("dweight", null, 700)));
        s.put("rms norm training", r -> r.norms.rmsNormTraining(r.data(values(240, 1, 2, 0), 6, 40), new long[] {40},
                r.param(values(40, 2, 0.5, 1), 40), 1e-5, r.dataOut("y", 6, 40), r.f32Out("rstd", null, 6)));
        for (Layout layout : Layout.values()) {
            long[] shape = layout == Layout.NCHW ? new long[] {4, 6, 5, 5} : new long[] {4, 5, 5, 6};
            s.put("batch norm training " + layout, r -> r.norms.batchNormTraining(r.data(values(600, 7, 3, -2), shape),
                    layout, r.f32Out("runningMean", new float[6], 6), r.f32Out("runningVar", new float[] {1, 1, 1, 1, 1, 1}, 6),
                    r.param(W6, 6), r.param(B6, 6), 0.1, 1e-5, r.dataOut("y", shape), r.f32Out("mean", null, 6),
                    r.f32Out("rstd", null, 6)));
            s.put("group norm training " + layout, r -> r.norms.groupNormTraining(r.data(values(600, 8, 1, 4), shape), layout,
                    3, r.param(W6, 6), r.param(B6, 6), 1e-5, r.dataOut("y", shape), r.f32Out("mean", null, 12),
                    r.f32Out("rstd", null, 12)));
            // NATIVE stages batch and group norm forward in f32 units of its own: every path of it.
            s.put("batch norm inference " + layout, r -> r.norms.batchNorm(r.data(values(600, 44, 3, -2), shape), layout,
                    r.param(values(6, 45, 1, -2), 6), r.param(values(6, 46, 0.5, 2), 6), r.param(W6, 6), r.param(B6, 6),
                    1e-5, r.dataOut("y", shape)));
            s.put("batch norm relu training " + layout, r -> r.norms.batchNormReluTraining(
                    r.data(values(600, 47, 3, -2), shape), layout, null, null, r.param(W6, 6), r.param(B6, 6), 0.1, 1e-5,
                    r.dataOut("y", shape), r.f32Out("mean", null, 6), r.f32Out("rstd", null, 6)));
            s.put("group norm silu training " + layout, r -> r.norms.groupNormSiluTraining(
                    r.data(values(600, 48, 1, 4), shape), layout, 3, r.param(W6, 6), r.param(B6, 6), 1e-5,
                    r.dataOut("y", shape), r.f32Out("mean", null, 12), r.f32Out("rstd", null, 12)));
            s.put("group norm inference " + layout, r -> r.norms.groupNorm(r.data(values(600, 49, 1, 4), shape), layout, 2,
                    r.param(W6, 6), r.param(B6, 6), 1e-5, r.dataOut("y", shape)));
            s.put("instance norm training with running statistics " + layout, r -> r.norms.instanceNormTraining(
                    r.data(values(600, 59, 2, 1), shape), layout, r.f32Out("runningMean", new float[6], 6),
                    r.f32Out("runningVar", new float[] {1, 1, 1, 1, 1, 1}, 6), r.param(W6, 6), r.param(B6, 6), 0.1, 1e-5,
                    r.dataOut("y", shape), r.f32Out("mean", null, 24), r.f32Out("rstd", null, 24)));
            s.put("instance norm with running statistics " + layout, r -> r.norms.instanceNormWithRunningStats(
                    r.data(values(600, 60, 2, 1), shape), layout, r.param(values(6, 61, 1, 0), 6),
                    r.param(values(6, 62, 0.5, 1), 6), r.param(W6, 6), r.param(B6, 6), 1e-5, r.dataOut("y", shape)));
            s.put("instance norm " + layout, r -> r.norms.instanceNorm(r.data(values(600, 9, 2, 1), shape), layout,
                    r.param(W6, 6), r.param(B6, 6), 1e-5, r.dataOut("y", shape)));
            s.put("batch norm backward " + layout, r -> r.norms.batchNormBackward(r.data(values(600, 10, 1, 0), shape),
                    r.data(values(600, 11, 1, 0), shape), layout, r.param(W6, 6), r.param(values(6, 12, 0.1, 0), 6),
                    r.param(values(6, 13, 0.1, 1), 6), r.dataOut("dx", shape), r.f32Out("dweight", null, 6),
                    r.f32Out("dbias", null, 6)));
            s.put("batch norm relu backward " + layout, r -> r.norms.batchNormReluBackward(
                    r.data(values(600, 51, 1, 0), shape), r.data(values(600, 52, 1, 0), shape), layout, r.param(W6, 6),
                    r.param(B6, 6), r.param(values(6, 53, 0.1, 0), 6), r.param(values(6, 54, 0.1, 1), 6),
                    r.dataOut("dx", shape), r.f32Out("dweight", null, 6), r.f32Out("dbias", null, 6)));
            s.put("batch norm backward with running statistics " + layout, r -> r.norms.batchNormBackwardWithRunningStats(
                    r.data(values(600, 55, 1, 0), shape), r.data(values(600, 56, 1, 0), shape), layout,
                    r.param(values(6, 57, 0.1, 0), 6), r.param(values(6, 58, 0.5, 1), 6), r.param(W6, 6), 1e-5,
                    r.dataOut("dx", shape), r.f32Out("dweight", null, 6), r.f32Out("dbias", null, 6)));
            s.put("group norm backward " + layout, r -> r.norms.groupNormBackward(r.data(values(600, 14, 1, 0), shape),
                    r.data(values(600, 15, 1, 0), shape), layout, 2, r.param(W6, 6), r.param(values(8, 16, 0.1, 0), 8),
                    r.param(values(8, 17, 0.1, 1), 8), r.dataOut("dx", shape), r.f32Out("dweight", null, 6),
                    r.f32Out("dbias", null, 6)));
        }
        // Channels-last group norm forward, which NATIVE runs on x and y as stored where they share a
        // type: whole vectors of channels, fused SiLU, a ragged vector whose groups start far from
        // their means (the one-pass statistics about those values refused: two passes then), and a
        // spread so wide that the groups are normalized in double.
        long[] g64 = {3, 20, 21, 64}, g70 = {2, 40, 41, 70}, wideSpread = {2, 4, 5, 16};
        float[] g70FarGroupStarts = values(2 * 40 * 41 * 70, 94, 1, 2);
        for (int j = 0; j < 70; j += 10) g70FarGroupStarts[j] = 3e4f;  // each group's first value
        s.put("group norm training NHWC [3, 20, 21, 64]", r -> r.norms.groupNormTraining(
                r.data(values(3 * 20 * 21 * 64, 95, 2, -1), g64), Layout.NHWC, 8, r.param(values(64, 96, 0.5, 1), 64),
                r.param(values(64, 97, 0.5, 0), 64), 1e-5, r.dataOut("y", g64), r.f32Out("mean", null, 24),
                r.f32Out("rstd", null, 24)));
        s.put("group norm silu NHWC [3, 20, 21, 64]", r -> r.norms.groupNormSilu(
                r.data(values(3 * 20 * 21 * 64, 98, 2, -1), g64), Layout.NHWC, 8, r.param(values(64, 96, 0.5, 1), 64),
                r.param(values(64, 97, 0.5, 0), 64), 1e-5, r.dataOut("y", g64)));
        s.put("group norm training NHWC [2, 40, 41, 70] first values far from the mean", r -> r.norms.groupNormTraining(
                r.data(g70FarGroupStarts, g70), Layout.NHWC, 7, r.param(values(70, 99, 0.5, 1), 70),
                r.param(values(70, 100, 0.5, 0), 70), 1e-5, r.dataOut("y", g70), r.f32Out("mean", null, 14),
                r.f32Out("rstd", null, 14)));
        s.put("group norm training NHWC [2, 4, 5, 16] spread normalized in double", r -> r.norms.groupNormTraining(
                r.data(values(2 * 4 * 5 * 16, 101, 1e35, 0), wideSpread), Layout.NHWC, 4, null, null, 1e-5,
                r.dataOut("y", wideSpread), r.f32Out("mean", null, 8), r.f32Out("rstd", null, 8)));
        // Channels-last group norm backward, which NATIVE runs on x, dy and dx as stored where they
        // share a type: whole vectors of channels (64, 8 groups), a ragged vector (70, 7 groups), and
        // saved means far from zero, whose rounding the sums undo tile by tile.
        for (long[] gs : new long[][] {{3, 20, 21, 64, 8}, {3, 20, 21, 70, 7}}) {
            long[] shape = {gs[0], gs[1], gs[2], gs[3]};
            int count = (int) (gs[0] * gs[1] * gs[2] * gs[3]), ch = (int) gs[3], stats = (int) (gs[0] * gs[4]);
            for (double offset : new double[] {0, 1000}) {
                String which = offset == 0 ? "" : " saved mean far from zero";
                s.put("group norm backward NHWC " + java.util.Arrays.toString(shape) + which, r -> r.norms.groupNormBackward(
                        r.data(values(count, 89, 1, offset), shape), r.data(values(count, 90, 1, 0), shape), Layout.NHWC,
                        gs[4], r.param(values(ch, 91, 0.5, 1), ch), r.param(values(stats, 92, 0.1, offset), stats),
                        r.param(values(stats, 93, 0.1, 1), stats), r.dataOut("dx", shape), r.f32Out("dweight", null, ch),
                        r.f32Out("dbias", null, ch)));
            }
        }
        // Channels-last batch norm over more rows than a chunk of the column sums and a block of the
        // output pass, 70 channels (a ragged vector), ragged last chunk and block; once with a first
        // row far from the mean, which the one-pass statistics about it refuse (two passes then).
        long[] wide = {6, 40, 41, 70};
        int wideCount = 6 * 40 * 41 * 70;
        float[] farFirstRow = values(wideCount, 63, 1, 2);
        for (int j = 0; j < 70; j++) farFirstRow[j] = 3e4f;
        float[] w70 = values(70, 64, 0.5, 1), b70 = values(70, 65, 0.5, 0);
        for (float[] v : new float[][] {values(wideCount, 66, 2, -1), farFirstRow}) {
            String which = v == farFirstRow ? " first row far from the mean" : "";
            s.put("batch norm training NHWC 6x40x41x70" + which, r -> r.norms.batchNormTraining(r.data(v, wide),
                    Layout.NHWC, r.f32Out("runningMean", new float[70], 70), r.f32Out("runningVar", new float[70], 70),
                    r.param(w70, 70), r.param(b70, 70), 0.1, 1e-5, r.dataOut("y", wide), r.f32Out("mean", null, 70),
                    r.f32Out("rstd", null, 70)));
        }
        // 64 channels: rows of whole vectors, which the output pass walks column block by block.
        long[] whole = {6, 40, 41, 64};
        int wholeCount = 6 * 40 * 41 * 64;
        float[] w64 = values(64, 84, 0.5, 1), b64 = values(64, 85, 0.5, 0);
        s.put("batch norm training NHWC 6x40x41x64", r -> r.norms.batchNormTraining(r.data(values(wholeCount, 86, 2, -1),
                whole), Layout.NHWC, r.f32Out("runningMean", new float[64], 64), r.f32Out("runningVar", new float[64], 64),
                r.param(w64, 64), r.param(b64, 64), 0.1, 1e-5, r.dataOut("y", whole), r.f32Out("mean", null, 64),
                r.f32Out("rstd", null, 64)));
        s.put("batch norm relu training NHWC 6x40x41x64", r -> r.norms.batchNormReluTraining(
                r.data(values(wholeCount, 87, 2, -1), whole), Layout.NHWC, r.f32Out("runningMean", new float[64], 64),
                r.f32Out("runningVar", new float[64], 64), r.param(w64, 64), r.param(b64, 64), 0.1, 1e-5,
                r.dataOut("y", whole), r.f32Out("mean", null, 64), r.f32Out("rstd", null, 64)));
        s.put("batch norm relu inference NHWC 6x40x41x70", r -> r.norms.batchNormRelu(r.data(values(wideCount, 67, 2, -1),
                wide), Layout.NHWC, r.param(values(70, 68, 1, -1), 70), r.param(values(70, 69, 0.3, 2), 70), r.param(w70, 70),
                r.param(b70, 70), 1e-5, r.dataOut("y", wide)));
        s.put("batch norm backward NHWC 6x40x41x70", r -> r.norms.batchNormBackward(r.data(values(wideCount, 70, 1, 0), wide),
                r.data(values(wideCount, 71, 1, 0), wide), Layout.NHWC, r.param(w70, 70), r.param(values(70, 72, 0.1, 0), 70),
                r.param(values(70, 73, 0.1, 1), 70), r.dataOut("dx", wide), r.f32Out("dweight", null, 70),
                r.f32Out("dbias", null, 70)));
        // Saved means whose rounding matters (|mean| rstd large): the backward's corrected sums.
        s.put("batch norm backward NHWC 6x40x41x70 saved mean far from zero", r -> r.norms.batchNormBackward(
                r.data(values(wideCount, 78, 1, 1000), wide), r.data(values(wideCount, 79, 1, 0), wide), Layout.NHWC,
                r.param(w70, 70), r.param(values(70, 80, 0.5, 1000), 70), r.param(values(70, 81, 0.1, 50), 70),
                r.dataOut("dx", wide), r.f32Out("dweight", null, 70), r.f32Out("dbias", null, 70)));
        s.put("batch norm backward with running statistics NHWC 6x40x41x70", r -> r.norms.batchNormBackwardWithRunningStats(
                r.data(values(wideCount, 82, 1, 0), wide), r.data(values(wideCount, 83, 1, 0), wide), Layout.NHWC,
                r.param(values(70, 84, 0.1, 0), 70), r.param(values(70, 85, 0.1, 1), 70), r.param(w70, 70), 1e-5,
                r.dataOut("dx", wide), r.f32Out("dweight", null, 70), r.f32Out("dbias", null, 70)));
        s.put("batch norm backward NHWC 6x40x41x64", r -> r.norms.batchNormBackward(r.data(values(wholeCount, 88, 1, 0),
                whole), r.data(values(wholeCount, 89, 1, 0), whole), Layout.NHWC, r.param(w64, 64),
                r.param(values(64, 90, 0.1, 0), 64), r.param(values(64, 91, 0.1, 1), 64), r.dataOut("dx", whole),
                r.f32Out("dweight", null, 64), r.f32Out("dbias", null, 64)));
        s.put("batch norm backward with running statistics NHWC 6x40x41x64", r -> r.norms.batchNormBackwardWithRunningStats(
                r.data(values(wholeCount, 92, 1, 0), whole), r.data(values(wholeCount, 93, 1, 0), whole), Layout.NHWC,
                r.param(values(64, 94, 0.1, 0), 64), r.param(values(64, 95, 0.1, 1), 64), r.param(w64, 64), 1e-5,
                r.dataOut("dx", whole), r.f32Out("dweight", null, 64), r.f32Out("dbias", null, 64)));
        s.put("batch norm relu backward NHWC 6x40x41x70", r -> r.norms.batchNormReluBackward(
                r.data(values(wideCount, 74, 1, 0), wide), r.data(values(wideCount, 75, 1, 0), wide), Layout.NHWC,
                r.param(w70, 70), r.param(b70, 70), r.param(values(70, 76, 0.1, 0), 70), r.param(values(70, 77, 0.1, 1), 70),
                r.dataOut("dx", wide), r.f32Out("dweight", null, 70), r.f32Out("dbias", null, 70)));
        s.put("batch norm training [N, C]", r -> r.norms.batchNormTraining(r.data(values(60, 50, 3, -2), 10, 6),
                Layout.NCHW, null, null, r.param(W6, 6), r.param(B6, 6), 0.1, 1e-5, r.dataOut("y", 10, 6),
                r.f32Out("mean", null, 6), r.f32Out("rstd", null, 6)));
        s.put("layer norm backward", r -> r.norms.layerNormBackward(r.data(values(240, 18, 1, 0), 6, 40),
                r.data(values(240, 19, 1, 0), 6, 40), new long[] {40}, r.param(values(40, 2, 0.5, 1), 40),
                r.param(values(6, 20, 0.1, 0), 6), r.param(values(6, 21, 0.1, 1), 6), r.dataOut("dx", 6, 40),
                r.f32Out("dweight", null, 40), r.f32Out("dbias", null, 40)));
        s.put("rms norm backward", r -> r.norms.rmsNormBackward(r.data(values(240, 22, 1, 0), 6, 40),
                r.data(values(240, 23, 1, 0), 6, 40), new long[] {40}, r.param(values(40, 2, 0.5, 1), 40),
                r.param(values(6, 24, 0.1, 1), 6), r.dataOut("dx", 6, 40), r.f32Out("dweight", null, 40)));
        s.put("min-max fit and transform", r -> {
            Tensor x = r.data(values(70, 25, 10, 3), 10, 7);
            Tensor mn = r.f32Out("dataMin", null, 7), mx = r.f32Out("dataMax", null, 7);
            r.norms.minMaxFit(x, mn, mx);
            r.norms.minMaxTransform(x, mn, mx, -1, 1, r.dataOut("y", 10, 7));
        });
        // Many blocks of rows on several threads, a ragged last block
        s.put("min-max fit and transform 3001x70", r -> {
            Tensor x = r.data(values(3001 * 70, 88, 10, 3), 3001, 70);
            Tensor mn = r.f32Out("dataMin", null, 70), mx = r.f32Out("dataMax", null, 70);
            r.norms.minMaxFit(x, mn, mx);
            r.norms.minMaxTransform(x, mn, mx, -1, 1, r.dataOut("y", 3001, 70));
        });
        s.put("min-max inverse transform", r -> r.norms.minMaxInverseTransform(r.data(values(70, 26, 0.5, 0), 10, 7),
                r.param(values(7, 27, 1, -2), 7), r.param(values(7, 28, 1, 3), 7), 0, 1, r.dataOut("y", 10, 7)));
        DType[][] pairs = {{DType.BFLOAT16, DType.BFLOAT16}, {DType.FLOAT16, DType.FLOAT16},
            {DType.BFLOAT16, DType.FLOAT32}, {DType.FLOAT32, DType.FLOAT16}, {DType.FLOAT16, DType.BFLOAT16}};
        List<Arguments> all = new ArrayList<>();
        for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE})
            for (DType[] p : pairs) s.forEach((name, sc) -> all.add(Arguments.of(b, p[0], p[1], name, sc)));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {3} {1} -> {2}")
    @MethodSource("scenarios")
    void halfPrecisionDataGiveTheF32ResultRoundedOnce(Backend backend, DType in, DType out, String name, Scenario scenario) {
        Map<String, float[]> half, f32;
        try (Run r = new Run(backend, in, out, false)) {
            scenario.run(r);
            r.outputs.forEach((n, t) -> {
                boolean data = n.equals("y") || n.equals("dx");
                assertEquals(data ? out : DType.FLOAT32, t.dtype(), n);
            });
            half = r.read();
        }
        try (Run r = new Run(backend, in, out, true)) {
            scenario.run(r);
            f32 = r.read();
        }
        assertEquals(f32.keySet(), half.keySet());
        f32.forEach((n, expected) -> assertArrayEquals(expected, half.get(n), backend + " " + name + ": " + n));
    }

    @Test
    void aHalfPrecisionParameterIsRefusedByNameWithNothingWritten() {
        try (Tensor x = Tensor.of(DType.BFLOAT16, values(80, 1, 1, 0), 2, 40);
                Tensor y = Tensor.allocate(DType.BFLOAT16, 2, 40).fill(7f);
                Tensor w = Tensor.allocate(DType.BFLOAT16, 40).fill(1f);
                Tensor wf = Tensor.allocate(40).fill(1f);
                Tensor mean = Tensor.allocate(DType.FLOAT16, 2);
                Tensor rstd = Tensor.allocate(2)) {
            for (Backend b : new Backend[] {Backend.REFERENCE, Backend.NATIVE, Backend.ONEDNN}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Norms.on(b).layerNorm(x, new long[] {40}, w, null, 1e-5, y));
                assertTrue(e.getMessage().startsWith("weight must be FLOAT32") && e.getMessage().contains("BFLOAT16"),
                        e.getMessage());
                IllegalArgumentException m = assertThrows(IllegalArgumentException.class,
                        () -> Norms.on(b).layerNormTraining(x, new long[] {40}, wf, null, 1e-5, y, mean, rstd));
                assertTrue(m.getMessage().startsWith("mean must be FLOAT32"), m.getMessage());
                for (float v : y.toArray()) assertEquals(7f, v);
            }
        }
    }

    @Test
    void inPlaceOverHalfPrecisionDataWorksAndAPartialOverlapIsRefused() {
        float[] v = values(80, 2, 1, 0);
        try (Tensor x = Tensor.of(DType.BFLOAT16, v, 2, 40); Tensor expected = Tensor.allocate(DType.BFLOAT16, 2, 40)) {
            Norms.on(Backend.NATIVE).layerNorm(x, new long[] {40}, null, null, 1e-5, expected);
            Norms.on(Backend.NATIVE).layerNorm(x, new long[] {40}, null, null, 1e-5, x);
            assertArrayEquals(expected.toArray(), x.toArray());
        }
        java.nio.ShortBuffer memory = java.nio.ByteBuffer.allocateDirect(2 * 81).order(java.nio.ByteOrder.nativeOrder())
                .asShortBuffer();
        try (Tensor x = Tensor.wrap(memory, DType.BFLOAT16, 2, 40).copyFrom(v);
                Tensor shifted = Tensor.wrap(memory.position(1), DType.BFLOAT16, 2, 40)) {
            float[] before = x.toArray();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Norms.on(Backend.NATIVE).layerNorm(x, new long[] {40}, null, null, 1e-5, shifted));
            assertTrue(e.getMessage().contains("overlaps x in part"), e.getMessage());
            assertArrayEquals(before, x.toArray());
        }
    }

    @Test
    void backwardInPlaceOverHalfPrecisionDyEqualsOutOfPlace() {
        float[] xv = values(300 * 700, 44, 1, 0), dv = values(300 * 700, 45, 1, 0);
        float[] mean = values(300, 46, 0.1, 0), rstd = values(300, 47, 0.1, 1);
        for (DType type : new DType[] {DType.BFLOAT16, DType.FLOAT16}) {
            try (Tensor x = Tensor.of(type, xv, 300, 700); Tensor dy = Tensor.of(type, dv, 300, 700);
                    Tensor dyAgain = Tensor.of(type, dv, 300, 700); Tensor dx = Tensor.allocate(type, 300, 700);
                    Tensor m = Tensor.of(mean, 300); Tensor r = Tensor.of(rstd, 300)) {
                Norms.on(Backend.NATIVE).layerNormBackward(x, dy, new long[] {700}, null, m, r, dx, null, null);
                Norms.on(Backend.NATIVE).layerNormBackward(x, dyAgain, new long[] {700}, null, m, r, dyAgain, null, null);
                assertArrayEquals(dx.toArray(), dyAgain.toArray(), type.id());
            }
        }
    }

    @Test
    void modulesKeepTheTypeTheirInputComesIn() {
        try (LayerNorm ln = new LayerNorm(40);
                Tensor x = Tensor.of(DType.BFLOAT16, values(80, 3, 1, 2), 2, 40);
                Tensor dy = Tensor.of(DType.FLOAT16, values(80, 4, 1, 0), 2, 40)) {
            ln.train();
            try (Tensor y = ln.forward(x); Tensor dx = ln.backward(dy)) {
                assertEquals(DType.BFLOAT16, y.dtype());
                assertEquals(DType.FLOAT16, dx.dtype());
                assertEquals(DType.FLOAT32, ln.weightGrad().dtype());
            }
        }
    }
}
