package io.norm4j;

/**
 * Per-thread scratch memory for what a call computes for itself (the batch variance a kernel hands
 * back for the running-statistics update, the rstd derived from running variances), so calls
 * allocate nothing in steady state. It only grows; the last view of it is kept, since a training
 * loop asks for the same size every step. No call uses it for two things at once.
 */
final class ThreadScratch {
    private ThreadScratch() {}

    /** [0]: the backing tensor; [1]: the last view handed out. */
    private static final ThreadLocal<Tensor[]> SCRATCH = ThreadLocal.withInitial(() -> new Tensor[2]);

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
}
