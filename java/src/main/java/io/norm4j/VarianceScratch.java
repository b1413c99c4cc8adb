package io.norm4j;

/**
 * Per-thread scratch for the batch variance a kernel hands back for the running-statistics
 * update, so training calls allocate nothing in steady state. It only grows; the last view of it
 * is kept, since a training loop asks for the same size every step.
 */
final class VarianceScratch {
    private VarianceScratch() {}

    /** [0]: the backing tensor; [1]: the last view handed out. */
    private static final ThreadLocal<Tensor[]> SCRATCH = ThreadLocal.withInitial(() -> new Tensor[2]);

    /** A tensor of exactly n elements viewing this thread's scratch (valid until its next call). */
    static Tensor get(long n) {
        Tensor[] s = SCRATCH.get();
        if (s[0] == null || s[0].numel() < n) {
            s[0] = Tensor.allocate(Math.max(n, 64));
            s[1] = null;
        }
        if (s[1] == null || s[1].numel() != n) s[1] = s[0].prefix(n);
        return s[1];
    }
}
