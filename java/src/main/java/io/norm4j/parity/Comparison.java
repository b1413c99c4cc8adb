package io.norm4j.parity;

/** Element-wise comparison with exact matching of non-finite values. */
final class Comparison {
    private Comparison() {}

    /**
     * Largest |actual - expected|; infinite when a NaN or infinity in one is not matched by the
     * same value in the other.
     */
    static double maxAbsError(float[] actual, float[] expected) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            float a = actual[i];
            float e = expected[i];
            if (!Float.isFinite(e) || !Float.isFinite(a)) {
                boolean same = Float.isNaN(e) ? Float.isNaN(a) : a == e;
                if (!same) return Double.POSITIVE_INFINITY;
                continue;
            }
            worst = Math.max(worst, Math.abs((double) a - (double) e));
        }
        return worst;
    }

    /** The largest finite |value| (0 where none is finite). */
    static double maxAbs(float[] values) {
        double m = 0;
        for (float v : values) if (Float.isFinite(v)) m = Math.max(m, Math.abs(v));
        return m;
    }

    static ParityResult.Check check(String name, float[] actual, float[] expected, double tolerance) {
        return new ParityResult.Check(name, maxAbsError(actual, expected), tolerance);
    }
}
