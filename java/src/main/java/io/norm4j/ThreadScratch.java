package io.norm4j;

/**
 * Per-thread scratch memory for what a call computes for itself (the batch variance a kernel hands
 * back for the running-statistics update, the rstd derived from running variances, a weight plus
 * its offset, adaptive layer norm's 1 + scale), so calls
 * allocate nothing in steady state, and the f32 stand-ins of a call on half-precision data
 * ({@link HalfStaging}). It only grows; the last view of the first is kept, since a training loop
 * asks for the same size every step. No call uses a piece of it for two things at once.
 */
final class ThreadScratch {
    private ThreadScratch() {}

    /** Stand-ins a call may hold at once (x, dy, dx). */
    static final int STAND_INS = 3;

    /** [0]: the backing tensor of floats(n); [1]: the last view of it handed out; [2, 5): the stand-ins'. */
    private static final ThreadLocal<Tensor[]> SCRATCH = ThreadLocal.withInitial(() -> new Tensor[2 + STAND_INS]);

    /** A tensor of exactly n elements viewing this thread's scratch (valid until its next use). */
    static Tensor floats(long n) {
        Tensor[] s = SCRATCH.get();
        if (s[0] == null || s[0].numel() < n) {
            s[0] = Tensor.allocate(Math.max(n, 64));
            s[1] = null;
        }
        if (s[1] == null || s[1].numel() != n) s[1] = s[0].prefix(n);
        return s[1];
    }

    /** Stand-in {@code slot} (0 to STAND_INS - 1) in the given shape, viewing this thread's memory for it. */
    static Tensor standIn(int slot, long[] dims) {
        Tensor[] s = SCRATCH.get();
        int i = 2 + java.util.Objects.checkIndex(slot, STAND_INS);
        long n = Shapes.numel("shape", dims);
        if (s[i] == null || s[i].numel() < n) s[i] = Tensor.allocate(Math.max(n, 64));
        return s[i].prefix(dims);
    }
}
