package io.norm4j;

/**
 * Rejects outputs that overlap any other argument: a kernel reading memory it is also writing
 * would give results that depend on its loop order. The one exception is exact in-place
 * operation where an op allows it (y may be x, dx may be dy; a fused residual add's h may be x or
 * residual), which every backend supports and which gives the same bits as out of place.
 *
 * <p>Overlap is judged from native addresses, so it is checked wherever the native library is
 * loaded; on a platform without it (REFERENCE only) nothing can be compared and nothing is.
 */
final class Aliasing {
    private static final int MAX_ARGS = 12;
    private static final int MAX_IN_PLACE = 4;
    /** One per thread, reset by each check: validation allocates nothing per call. */
    private static final ThreadLocal<Aliasing> PER_THREAD = ThreadLocal.withInitial(Aliasing::new);

    /** Overlap can only be judged from native addresses; without the library nothing is checked. */
    private static final boolean CHECKED = NativeRuntime.loadFailure().isEmpty();

    // Each non-empty argument's byte range [begin, end), taken once when it is added, so the
    // pairwise loop reads plain arrays. This check runs on every call and small calls feel it:
    // names are stored only when they differ from the slot's last one (a call site passes the
    // same literals every time), since a reference store pays the collector's write barrier;
    // with a store per argument the check of a backward call took 30 ns, without 16 ns.
    private final String[] names = new String[MAX_ARGS];
    private final long[] begins = new long[MAX_ARGS], ends = new long[MAX_ARGS];
    private final boolean[] outputs = new boolean[MAX_ARGS];
    private int count;
    private final String[] inPlaceOutputs = new String[MAX_IN_PLACE], inPlaceInputs = new String[MAX_IN_PLACE];
    private int inPlacePairs;

    private Aliasing() {}

    /** Starts a check on this thread's (cleared) instance. */
    static Aliasing check() {
        Aliasing a = PER_THREAD.get();
        a.count = 0;
        a.inPlacePairs = 0;
        return a;
    }

    private Aliasing add(String name, Tensor t, boolean output) {
        if (CHECKED && t != null && t.numel() > 0) {  // an empty tensor overlaps nothing
            if (names[count] != name) names[count] = name;
            begins[count] = t.address();
            ends[count] = begins[count] + t.byteSize();
            outputs[count] = output;
            count++;
        }
        return this;
    }

    Aliasing out(String name, Tensor t) {
        return add(name, t, true);
    }

    Aliasing in(String name, Tensor t) {
        return add(name, t, false);
    }

    /** Allows {@code output} to be exactly {@code input} (same start, same size); a call may allow a few such pairs. */
    Aliasing inPlace(String output, String input) {
        int p = inPlacePairs++;
        if (inPlaceOutputs[p] != output) inPlaceOutputs[p] = output;
        if (inPlaceInputs[p] != input) inPlaceInputs[p] = input;
        return this;
    }

    private boolean allowedInPlace(String output, String input) {
        for (int p = 0; p < inPlacePairs; p++) {
            if (output.equals(inPlaceOutputs[p]) && input.equals(inPlaceInputs[p])) return true;
        }
        return false;
    }

    private String allowedPairs() {
        StringBuilder s = new StringBuilder();
        for (int p = 0; p < inPlacePairs; p++) {
            s.append(p == 0 ? "" : ", ").append(inPlaceOutputs[p]).append(" = ").append(inPlaceInputs[p]);
        }
        return s.toString();
    }

    /** Throws if an output overlaps another argument other than by the allowed exact in-place pair. */
    void verify() {
        final long[] b = begins, e = ends;
        final boolean[] out = outputs;
        final int n = count;
        for (int i = 0; i < n; i++) {
            if (!out[i]) continue;
            for (int j = 0; j < n; j++) {
                if (b[i] >= e[j] || b[j] >= e[i] || i == j || (out[j] && j < i)) continue;
                boolean exact = b[i] == b[j] && e[i] == e[j];
                if (exact && allowedInPlace(names[i], names[j])) continue;
                throw new IllegalArgumentException(names[i] + " overlaps " + names[j]
                        + (exact ? " (they are the same memory)" : " in part")
                        + "; outputs must not share memory with other arguments"
                        + (inPlacePairs > 0 ? " (exact in place, " + allowedPairs() + ", is allowed)" : ""));
            }
        }
    }
}
