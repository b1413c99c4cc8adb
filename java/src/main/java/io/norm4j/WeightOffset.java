package io.norm4j;

/**
 * A weight offset, as Gemma's RMS norm scales by {@code 1 + weight}: the scale a fused norm applies
 * is {@code offset + weight[j]}, added in f32 (the offset taken as an f32), as PyTorch's Gemma
 * computes {@code 1.0 + weight.float()}. The parameter gradient is the same as for the weight alone.
 */
final class WeightOffset {
    private WeightOffset() {}

    /** The offset must be finite, and 0 without a weight (there is nothing to offset). */
    static void check(Tensor weight, double offset) {
        if (!Double.isFinite(offset) || !Float.isFinite((float) offset)) {
            throw new IllegalArgumentException("weightOffset must be finite as an f32, got " + offset);
        }
        if (weight == null && offset != 0) {
            throw new IllegalArgumentException("weightOffset " + offset + " needs a weight to offset; weight is null");
        }
    }

    /** weight itself where the offset is 0, else this thread's scratch holding offset + weight (valid until its next use). */
    static Tensor scale(Tensor weight, double offset) {
        if (offset == 0 || weight == null) return weight;
        float off = (float) offset;
        Tensor s = ThreadScratch.floats(weight.numel()).prefix(weight.dims());
        java.nio.FloatBuffer w = weight.buffer(), out = s.buffer();
        for (int i = 0; i < weight.numel(); i++) out.put(i, off + w.get(i));
        return s;
    }
}
