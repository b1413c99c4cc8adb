package io.norm4j;

import java.nio.FloatBuffer;

/**
 * The first step of a fused norm's backward, in Java: {@code dpre = dy * activation'(pre)} with the
 * pre-activation {@code pre = (x - mean) * rstd * w + b} recomputed from x and the saved
 * statistics. pre is formed in f32, one rounding per operation in that order, as NATIVE forms it,
 * so that both take ReLU's kink on the same side; the derivative and the product are in double,
 * rounded once.
 */
final class ActivationGradient {
    private ActivationGradient() {}

    /** @param call the norm's checked backward call (f32 tensors); dpre may be its dy */
    static void compute(ChannelBackwardCall call, Tensor bias, Activation activation, Tensor dpre) {
        ChannelShape sh = call.shape();
        FloatBuffer x = call.x().buffer(), dy = call.dy().buffer(), out = dpre.buffer();
        long groupSize = sh.c() / call.groups();
        for (long n = 0; n < sh.n(); n++)
            for (long ch = 0; ch < sh.c(); ch++) {
                int stat = (int) (call.op() == Op.BATCH_NORM ? ch : n * call.groups() + ch / groupSize);
                float mean = call.mean().buffer().get(stat), rstd = call.rstd().buffer().get(stat);
                float w = call.weight() == null ? 1f : call.weight().buffer().get((int) ch);
                float b = bias == null ? 0f : bias.buffer().get((int) ch);
                for (long sp = 0; sp < sh.s(); sp++) {
                    long i = call.layout() == Layout.NCHW ? (n * sh.c() + ch) * sh.s() + sp : (n * sh.s() + sp) * sh.c() + ch;
                    float pre = (x.get((int) i) - mean) * rstd * w + b;
                    out.put((int) i, (float) (dy.get((int) i) * activation.derivative(pre)));
                }
            }
    }
}
