package io.norm4j;

import java.nio.FloatBuffer;

/**
 * The oracle: plain Java, every statistic in double with two passes (mean, then centred squares),
 * each output computed in double and rounded once to f32. Clarity over speed: each norm is
 * written as its definition, with the groups of values it takes statistics over spelled out.
 */
final class ReferenceBackend extends CheckedBackend {
    ReferenceBackend() {
        super(Backend.REFERENCE);
    }

    /** Where element (sample, channel, spatial position) lives in an [n, c, s] tensor. */
    private static int offset(ChannelShape sh, Layout layout, long n, long ch, long sp) {
        long i = layout == Layout.NCHW ? (n * sh.c() + ch) * sh.s() + sp : (n * sh.s() + sp) * sh.c() + ch;
        return (int) i;
    }

    private static float at(Tensor t, long i, float absent) {
        return t == null ? absent : t.buffer().get((int) i);
    }

    /** Mean and biased variance of values read through {@code get}, two passes in double. */
    private static double[] meanVar(java.util.function.LongToDoubleFunction get, long count) {
        double sum = 0;
        for (long k = 0; k < count; k++) sum += get.applyAsDouble(k);
        double mean = sum / count;
        double sq = 0;
        for (long k = 0; k < count; k++) {
            double d = get.applyAsDouble(k) - mean;
            sq += d * d;
        }
        return new double[] {mean, sq / count};
    }

    private static void save(Tensor t, long i, double v) {
        if (t != null) t.buffer().put((int) i, (float) v);
    }

    @Override
    protected void layerNormForward(LayerNormCall c) {
        FloatBuffer x = c.x().buffer(), y = c.y().buffer();
        long cols = c.cols();
        for (long r = 0; r < c.rows(); r++) {
            long base = r * cols;
            double[] mv = meanVar(k -> x.get((int) (base + k)), cols);
            double rstd = 1.0 / Math.sqrt(mv[1] + c.eps());
            for (long i = 0; i < cols; i++) {
                double v = (x.get((int) (base + i)) - mv[0]) * rstd;
                y.put((int) (base + i), (float) (v * at(c.weight(), i, 1f) + at(c.bias(), i, 0f)));
            }
            save(c.mean(), r, mv[0]);
            save(c.rstd(), r, rstd);
        }
    }

    @Override
    protected void rmsNormForward(RmsNormCall c) {
        FloatBuffer x = c.x().buffer(), y = c.y().buffer();
        long cols = c.cols();
        for (long r = 0; r < c.rows(); r++) {
            long base = r * cols;
            double sq = 0;
            for (long i = 0; i < cols; i++) sq += (double) x.get((int) (base + i)) * x.get((int) (base + i));
            // Squares of floats cannot overflow a double sum: an infinite one means the row holds
            // an infinity, and its outputs are all NaN, as for a NaN.
            double rstd = Double.isInfinite(sq) ? Double.NaN : 1.0 / Math.sqrt(sq / cols + c.eps());
            for (long i = 0; i < cols; i++) {
                y.put((int) (base + i), (float) (x.get((int) (base + i)) * rstd * at(c.weight(), i, 1f)));
            }
            save(c.rstd(), r, rstd);
        }
    }

    @Override
    protected void batchNormForward(BatchNormCall c, Tensor var, Activation activation) {
        ChannelShape sh = c.shape();
        FloatBuffer x = c.x().buffer(), y = c.y().buffer();
        for (long ch = 0; ch < sh.c(); ch++) {
            final long channel = ch;
            double mean, variance;
            if (c.training()) {
                // The channel's values, sample by sample, position by position.
                double[] mv = meanVar(k -> x.get(offset(sh, c.layout(), k / sh.s(), channel, k % sh.s())), sh.n() * sh.s());
                mean = mv[0];
                variance = mv[1];
                save(c.mean(), ch, mean);
                save(c.rstd(), ch, 1.0 / Math.sqrt(variance + c.eps()));
                save(var, ch, variance);
            } else {
                mean = c.runningMean().buffer().get((int) ch);
                variance = c.runningVar().buffer().get((int) ch);
            }
            double rstd = 1.0 / Math.sqrt(variance + c.eps());
            double w = at(c.weight(), ch, 1f), b = at(c.bias(), ch, 0f);
            for (long n = 0; n < sh.n(); n++)
                for (long sp = 0; sp < sh.s(); sp++) {
                    int o = offset(sh, c.layout(), n, ch, sp);
                    y.put(o, activated(activation, (x.get(o) - mean) * rstd * w + b));
                }
        }
    }

    /** v through the activation (when there is one) in double, rounded once. */
    private static float activated(Activation activation, double v) {
        return (float) (activation == null ? v : activation.apply(v));
    }

    @Override
    protected void groupNormForward(GroupNormCall c, Tensor var, Activation activation) {
        ChannelShape sh = c.shape();
        FloatBuffer x = c.x().buffer(), y = c.y().buffer();
        long cg = sh.c() / c.groups();
        for (long n = 0; n < sh.n(); n++)
            for (long g = 0; g < c.groups(); g++) {
                final long sample = n, first = g * cg;
                // The group's values, channel by channel, position by position.
                double[] mv = meanVar(k -> x.get(offset(sh, c.layout(), sample, first + k / sh.s(), k % sh.s())), cg * sh.s());
                double rstd = 1.0 / Math.sqrt(mv[1] + c.eps());
                long stat = n * c.groups() + g;
                save(c.mean(), stat, mv[0]);
                save(c.rstd(), stat, rstd);
                save(var, stat, mv[1]);
                for (long ch = first; ch < first + cg; ch++) {
                    double w = at(c.weight(), ch, 1f), b = at(c.bias(), ch, 0f);
                    for (long sp = 0; sp < sh.s(); sp++) {
                        int o = offset(sh, c.layout(), n, ch, sp);
                        y.put(o, activated(activation, (x.get(o) - mv[0]) * rstd * w + b));
                    }
                }
            }
    }

    @Override
    protected void minMaxFitKernel(MinMaxCall c) {
        FloatBuffer x = c.x().buffer(), mn = c.dataMin().buffer(), mx = c.dataMax().buffer();
        for (int j = 0; j < c.features(); j++) {
            float lo = c.accumulate() ? mn.get(j) : Float.POSITIVE_INFINITY;
            float hi = c.accumulate() ? mx.get(j) : Float.NEGATIVE_INFINITY;
            for (long r = 0; r < c.samples(); r++) {
                float v = x.get((int) (r * c.features() + j));
                if (v < lo) lo = v; // NaN compares false: skipped
                if (v > hi) hi = v;
            }
            mn.put(j, lo);
            mx.put(j, hi);
        }
    }

    @Override
    protected void minMaxTransformKernel(MinMaxCall c) {
        FloatBuffer x = c.x().buffer(), y = c.y().buffer();
        double width = (double) c.rangeMax() - c.rangeMin();
        for (int j = 0; j < c.features(); j++) {
            double min = c.dataMin().buffer().get(j);
            double range = c.dataMax().buffer().get(j) - min;
            if (range == 0) range = 1; // a constant feature maps to rangeMin
            for (long r = 0; r < c.samples(); r++) {
                int o = (int) (r * c.features() + j);
                double v = x.get(o);
                double out = c.inverse() ? (v - c.rangeMin()) / width * range + min : (v - min) / range * width + c.rangeMin();
                y.put(o, (float) out);
            }
        }
    }

    // ---- batch norm in phases, standard scaling: statistics in double, each output rounded once --

    @Override
    protected ChannelMoments momentsKernel(Tensor x, ChannelShape sh, Layout layout) {
        FloatBuffer in = x.buffer();
        int channels = (int) sh.c();
        double[] mean = new double[channels], m2 = new double[channels];
        long count = sh.n() * sh.s();
        for (int ch = 0; ch < channels; ch++) {
            final long channel = ch;
            double[] mv = meanVar(k -> in.get(offset(sh, layout, k / sh.s(), channel, k % sh.s())), count);
            mean[ch] = mv[0];
            m2[ch] = mv[1] * count;
        }
        return ChannelMoments.ofUniformCount(count, mean, m2);
    }

    @Override
    protected void normalizeWithMomentsKernel(ShardedBatchNormCall c) {
        ChannelShape sh = c.shape();
        FloatBuffer x = c.x().buffer(), y = c.out().buffer();
        for (long ch = 0; ch < sh.c(); ch++) {
            double mean = c.mean(ch), rstd = c.rstd(ch);
            double w = at(c.weight(), ch, 1f), b = at(c.bias(), ch, 0f);
            for (long n = 0; n < sh.n(); n++)
                for (long sp = 0; sp < sh.s(); sp++) {
                    int o = offset(sh, c.layout(), n, ch, sp);
                    y.put(o, (float) ((x.get(o) - mean) * rstd * w + b));
                }
        }
    }

    @Override
    protected ChannelGradientSums backwardSumsKernel(ShardedBatchNormCall c) {
        ChannelShape sh = c.shape();
        FloatBuffer x = c.x().buffer(), dy = c.dy().buffer();
        double[] sumDy = new double[(int) sh.c()], sumDyXhat = new double[(int) sh.c()];
        for (long ch = 0; ch < sh.c(); ch++) {
            double mean = c.mean(ch), rstd = c.rstd(ch);
            for (long n = 0; n < sh.n(); n++)
                for (long sp = 0; sp < sh.s(); sp++) {
                    int o = offset(sh, c.layout(), n, ch, sp);
                    sumDy[(int) ch] += dy.get(o);
                    sumDyXhat[(int) ch] += dy.get(o) * ((x.get(o) - mean) * rstd);
                }
        }
        return ChannelGradientSums.of(sumDy, sumDyXhat);
    }

    @Override
    protected void backwardWithSumsKernel(ShardedBatchNormCall c, ChannelGradientSums sums) {
        ChannelShape sh = c.shape();
        FloatBuffer x = c.x().buffer(), dy = c.dy().buffer(), dx = c.out().buffer();
        double count = c.count();
        for (long ch = 0; ch < sh.c(); ch++) {
            double mean = c.mean(ch), rstd = c.rstd(ch);
            double w = at(c.weight(), ch, 1f);
            double a = w * sums.sumDy((int) ch) / count, b = w * sums.sumDyXhat((int) ch) / count;
            for (long n = 0; n < sh.n(); n++)
                for (long sp = 0; sp < sh.s(); sp++) {
                    int o = offset(sh, c.layout(), n, ch, sp); // each dx read from its own dy only: dx may be dy
                    double xhat = (x.get(o) - mean) * rstd;
                    dx.put(o, (float) (rstd * (dy.get(o) * w - a - xhat * b)));
                }
        }
    }

    @Override
    protected ChannelMoments featureMomentsKernel(Tensor x, long samples, long features) {
        FloatBuffer in = x.buffer();
        long[] count = new long[(int) features];
        double[] mean = new double[(int) features], m2 = new double[(int) features];
        for (int j = 0; j < features; j++) {
            double sum = 0;
            for (long r = 0; r < samples; r++) {
                float v = in.get((int) (r * features + j));
                if (Float.isNaN(v)) continue;
                sum += v;
                count[j]++;
            }
            if (count[j] == 0) continue;
            mean[j] = sum / count[j];
            for (long r = 0; r < samples; r++) {
                float v = in.get((int) (r * features + j));
                if (!Float.isNaN(v)) m2[j] += (v - mean[j]) * (v - mean[j]);
            }
        }
        return ChannelMoments.of(count, mean, m2);
    }

    @Override
    protected void standardScaleKernel(Tensor x, Tensor y, long samples, long features, double[] mean, double[] scale,
            boolean inverse) {
        FloatBuffer in = x.buffer(), out = y.buffer();
        for (long r = 0; r < samples; r++)
            for (int j = 0; j < features; j++) {
                int o = (int) (r * features + j);
                double v = in.get(o);
                out.put(o, (float) (inverse ? v * scale[j] + mean[j] : (v - mean[j]) / scale[j]));
            }
    }

    // ---- backward: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w -------------
    //
    // The saved mean is an f32, off from the group's mean by up to half an ulp: at mean 1e4 and
    // std 1e-2 that moves every xhat by up to 0.05. Where that half ulp times rstd exceeds 2^-24
    // (meanRoundingMatters, NATIVE's rule too), backward centres with the group's own mean,
    // recovered from the saved one: mean = saved + sum(x - saved) / n in double, where each
    // x - saved is exact. Running statistics are constants and are used as given.

    /**
     * The saved mean plus delta, the group's mean less it, where delta is a rounding (at most an ulp
     * of the saved mean); the saved mean as given otherwise: statistics that did not come from a
     * forward call on this x, or a group holding NaN or Inf.
     */
    static double undoRounding(double savedMean, double delta) {
        return Math.abs(delta) <= Math.ulp((float) savedMean) ? savedMean + delta : savedMean;
    }

    /** Whether the saved mean's rounding can shift xhat by more than 2^-24 (as NATIVE decides). */
    static boolean meanRoundingMatters(double savedMean, double rstd) {
        if (!Double.isFinite(savedMean) || !Double.isFinite(rstd)) return false;
        return 0.5 * Math.ulp((float) savedMean) * rstd > 0x1p-24;
    }

    @Override
    protected void rowsBackward(RowsBackwardCall c) {
        FloatBuffer x = c.x().buffer(), dy = c.dy().buffer();
        int cols = (int) c.cols();
        double[] dw = new double[cols], db = new double[cols];
        float[] dx = new float[cols]; // dx may be dy: write a row only after reading it
        for (long r = 0; r < c.rows(); r++) {
            int base = (int) (r * cols);
            double mean = c.op() == Op.RMS_NORM ? 0 : c.mean().buffer().get((int) r);
            double rstd = c.rstd().buffer().get((int) r);
            if (c.op() != Op.RMS_NORM && meanRoundingMatters(mean, rstd)) {
                double shift = 0;
                for (int i = 0; i < cols; i++) shift += x.get(base + i) - mean;
                mean = undoRounding(mean, shift / cols);
            }
            double sumG = 0, sumGx = 0;
            for (int i = 0; i < cols; i++) {
                double xhat = (x.get(base + i) - mean) * rstd;
                double g = dy.get(base + i) * (double) at(c.weight(), i, 1f);
                sumG += g;
                sumGx += g * xhat;
                dw[i] += dy.get(base + i) * xhat;
                db[i] += dy.get(base + i);
            }
            double a = c.op() == Op.RMS_NORM ? 0 : sumG / cols, b = sumGx / cols; // RMS norm: no centring term
            for (int i = 0; i < cols; i++) {
                double xhat = (x.get(base + i) - mean) * rstd;
                double g = dy.get(base + i) * (double) at(c.weight(), i, 1f);
                dx[i] = (float) (rstd * (g - a - xhat * b));
            }
            for (int i = 0; i < cols; i++) c.dx().buffer().put(base + i, dx[i]);
        }
        writeParamGrads(c.dweight(), c.dbias(), dw, db);
    }

    @Override
    protected void channelBackward(ChannelBackwardCall c) {
        ChannelShape sh = c.shape();
        FloatBuffer x = c.x().buffer(), dy = c.dy().buffer();
        int stats = (int) c.statistics();
        long cg = c.op() == Op.BATCH_NORM ? 1 : sh.c() / c.groups();
        double[] sumG = new double[stats], sumGx = new double[stats], count = new double[stats];
        double[] groupMean = new double[stats];
        for (int st = 0; st < stats; st++) groupMean[st] = c.mean().buffer().get(st);
        if (c.batchStatistics()) {
            double[] shift = new double[stats], n = new double[stats];
            for (long s = 0; s < sh.n(); s++)
                for (long ch = 0; ch < sh.c(); ch++) {
                    int st = (int) (c.op() == Op.BATCH_NORM ? ch : s * c.groups() + ch / cg);
                    for (long sp = 0; sp < sh.s(); sp++) {
                        shift[st] += x.get(offset(sh, c.layout(), s, ch, sp)) - groupMean[st];
                        n[st]++;
                    }
                }
            for (int st = 0; st < stats; st++) {
                if (meanRoundingMatters(groupMean[st], c.rstd().buffer().get(st))) {
                    groupMean[st] = undoRounding(groupMean[st], shift[st] / n[st]);
                }
            }
        }
        double[] dw = new double[(int) sh.c()], db = new double[(int) sh.c()];
        float[] dx = new float[(int) sh.count()]; // dx may be dy: write only after every read
        for (int pass = 0; pass < 2; pass++)
            for (long n = 0; n < sh.n(); n++)
                for (long ch = 0; ch < sh.c(); ch++) {
                    int st = (int) (c.op() == Op.BATCH_NORM ? ch : n * c.groups() + ch / cg);
                    double mean = groupMean[st], rstd = c.rstd().buffer().get(st);
                    double w = at(c.weight(), ch, 1f);
                    for (long sp = 0; sp < sh.s(); sp++) {
                        int o = offset(sh, c.layout(), n, ch, sp);
                        double xhat = (x.get(o) - mean) * rstd, g = dy.get(o) * w;
                        if (pass == 0) {
                            sumG[st] += g;
                            sumGx[st] += g * xhat;
                            count[st]++;
                            dw[(int) ch] += dy.get(o) * xhat;
                            db[(int) ch] += dy.get(o);
                        } else if (c.batchStatistics()) {
                            dx[o] = (float) (rstd * (g - sumG[st] / count[st] - xhat * sumGx[st] / count[st]));
                        } else {
                            dx[o] = (float) (rstd * g); // constant statistics: no dependence through them
                        }
                    }
                }
        for (int i = 0; i < dx.length; i++) c.dx().buffer().put(i, dx[i]);
        writeParamGrads(c.dweight(), c.dbias(), dw, db);
    }

    private static void writeParamGrads(Tensor dweight, Tensor dbias, double[] dw, double[] db) {
        for (int i = 0; i < dw.length; i++) {
            if (dweight != null) dweight.buffer().put(i, (float) dw[i]);
            if (dbias != null) dbias.buffer().put(i, (float) db[i]);
        }
    }
}
