package io.norm4j.spark;

import io.norm4j.Tensor;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * One process's part of a batch: its dims ([N, C, spatial...] channels-first or [N, spatial..., C]
 * channels-last, or [N, C]) and its f32 values in that order. The shards of one batch differ in N
 * only.
 */
public record BatchShard(long[] dims, float[] values) implements Serializable {
    public BatchShard {
        Objects.requireNonNull(dims, "dims");
        Objects.requireNonNull(values, "values");
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) throw new IllegalArgumentException("dims[" + i + "] must be >= 0, got " + dims[i]);
            n = Math.multiplyExact(n, dims[i]);
        }
        if (n != values.length) {
            throw new IllegalArgumentException("values has " + values.length + " elements, dims " + Arrays.toString(dims)
                    + " hold " + n);
        }
        dims = dims.clone();
    }

    /** A shard of the tensor's dims and values. */
    public static BatchShard of(Tensor t) {
        return new BatchShard(t.shape(), t.toArray());
    }

    /** A new off-heap tensor holding this shard (the caller closes it). */
    public Tensor toTensor() {
        return Tensor.of(values, dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchShard s && Arrays.equals(dims, s.dims) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(dims) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "BatchShard" + Arrays.toString(dims);
    }
}
