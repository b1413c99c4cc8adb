package io.norm4j;

import java.util.Arrays;

/** Shape arithmetic with overflow checks, shared by tensors and the argument checks. */
final class Shapes {
    private Shapes() {}

    /** Product of the dimensions; rejects negative ones and products that overflow. */
    static long numel(String name, long[] shape) {
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] < 0) {
                throw new IllegalArgumentException(
                        name + " has a negative dimension " + shape[i] + " at index " + i
                                + " in shape " + Arrays.toString(shape));
            }
            try {
                n = Math.multiplyExact(n, shape[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(
                        name + " " + Arrays.toString(shape) + " has more elements than a long holds", e);
            }
        }
        return n;
    }

    /**
     * Product of shape[from..to), the part of a shape that {@code name} spans. A tensor with a zero
     * dimension elsewhere may still have such a part too large for a long: that is an error
     * naming the argument, not an overflow.
     */
    static long product(String name, long[] shape, int from, int to) {
        long n = 1;
        for (int i = from; i < to; i++) {
            try {
                n = Math.multiplyExact(n, shape[i]);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(name + " " + Arrays.toString(Arrays.copyOfRange(shape, from, to))
                        + " (of shape " + Arrays.toString(shape) + ") has more elements than a long holds", e);
            }
        }
        return n;
    }

    static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
