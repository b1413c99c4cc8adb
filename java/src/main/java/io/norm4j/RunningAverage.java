package io.norm4j;

/**
 * The momentum of the next running-statistics update, as PyTorch chooses it: the given momentum,
 * or, when it is null, a cumulative average (1 / number of batches seen).
 */
final class RunningAverage {
    private final Double momentum;
    private long batches;

    RunningAverage(Double momentum) {
        if (momentum != null) Checks.momentum(momentum);
        this.momentum = momentum;
    }

    /** Momentum for the next batch; call {@link #commit()} once that batch's update succeeded. */
    double next() {
        return momentum != null ? momentum : 1.0 / (batches + 1);
    }

    void commit() {
        batches++;
    }

    long batches() {
        return batches;
    }

    Double momentum() {
        return momentum;
    }
}
