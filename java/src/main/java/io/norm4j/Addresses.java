package io.norm4j;

/** Native address of an optional tensor: 0 (C's null) when absent. */
final class Addresses {
    private Addresses() {}

    static long of(Tensor t) {
        return t == null ? 0L : t.address();
    }
}
