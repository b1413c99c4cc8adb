package io.norm4j.parity;

import io.norm4j.Backend;

/**
 * One compared case: a backend's outputs against REFERENCE's on the same input. Errors are maximum
 * absolute differences; a non-finite mismatch (NaN against a number) is an infinite error.
 *
 * @param meanMaxAbsErr NaN in inference mode, where no statistics are saved
 */
public record ParityResult(
        String op,
        String direction,
        String mode,
        Backend backend,
        String layout,
        long[] shape,
        InputDistribution input,
        boolean affine,
        double maxAbsErr,
        double tolerance,
        double meanMaxAbsErr,
        double meanTolerance,
        double rstdMaxAbsErr,
        double rstdTolerance,
        boolean parityClaimed) {

    /**
     * Whether every compared output is within its tolerance. A case whose parity the policy does
     * not claim ({@link #parityClaimed()} false) still reports whether it happened to pass.
     */
    public boolean pass() {
        boolean ok = maxAbsErr <= tolerance;
        if (!Double.isNaN(meanMaxAbsErr)) ok &= meanMaxAbsErr <= meanTolerance && rstdMaxAbsErr <= rstdTolerance;
        return ok;
    }

    /** False only when a case the policy claims parity for is out of tolerance. */
    public boolean acceptable() {
        return pass() || !parityClaimed;
    }

    @Override
    public String toString() {
        return String.format("%s %s %s %-9s %s %s affine=%s: err %.3g (tol %.3g)%s %s%s", op, direction, mode,
                backend.id(), java.util.Arrays.toString(shape), input.id(), affine, maxAbsErr, tolerance,
                Double.isNaN(meanMaxAbsErr) ? ""
                        : String.format(", mean err %.3g (tol %.3g), rstd err %.3g (tol %.3g)", meanMaxAbsErr,
                                meanTolerance, rstdMaxAbsErr, rstdTolerance),
                pass() ? "PASS" : "FAIL", parityClaimed ? "" : " (parity not claimed: f32 statistics)");
    }
}
