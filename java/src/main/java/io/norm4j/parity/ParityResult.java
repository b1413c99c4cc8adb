package io.norm4j.parity;

import io.norm4j.Backend;
import io.norm4j.DType;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One compared case: a backend's outputs against REFERENCE's on the same input. {@code checks}
 * holds one entry per compared output, the first being the main output ("y"). {@code dtype} is how
 * the backend's data (x, y, dy, dx) were stored; REFERENCE ran on the same values in f32.
 */
public record ParityResult(
        String op,
        String direction,
        String mode,
        Backend backend,
        String layout,
        long[] shape,
        DType dtype,
        InputDistribution input,
        boolean affine,
        List<Check> checks,
        boolean parityClaimed) {

    /**
     * One compared output: its largest absolute difference from REFERENCE (infinite when a NaN or
     * infinity is not matched exactly) and the tolerance the policy allows it.
     */
    public record Check(String output, double maxAbsErr, double tolerance) {
        public boolean pass() {
            return maxAbsErr <= tolerance;
        }
    }

    public double maxAbsErr() {
        return checks.get(0).maxAbsErr();
    }

    public double tolerance() {
        return checks.get(0).tolerance();
    }

    /**
     * Whether every compared output is within its tolerance. A case whose parity the policy does
     * not claim ({@link #parityClaimed()} false) still reports whether it happened to pass.
     */
    public boolean pass() {
        return checks.stream().allMatch(Check::pass);
    }

    /** False only when a case the policy claims parity for is out of tolerance. */
    public boolean acceptable() {
        return pass() || !parityClaimed;
    }

    @Override
    public String toString() {
        String detail = checks.stream()
                .map(c -> String.format("%s err %.3g (tol %.3g)", c.output(), c.maxAbsErr(), c.tolerance()))
                .collect(Collectors.joining(", "));
        return String.format("%s %s %s %s %s %s%s %s affine=%s: %s %s%s", op, direction, mode, backend.id(), layout,
                Arrays.toString(shape), dtype == DType.FLOAT32 ? "" : " " + dtype.id(), input.id(), affine, detail, pass() ? "PASS" : "FAIL",
                parityClaimed ? "" : " (parity not claimed: oneDNN's f32 arithmetic on this input, see TolerancePolicy)");
    }
}
