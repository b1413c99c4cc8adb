package io.norm4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Rejects outputs that overlap any other argument: a kernel reading memory it is also writing
 * would give results that depend on its loop order. The one exception is exact in-place
 * operation where an op allows it (y may be x, dx may be dy), which every backend supports and
 * which gives the same bits as out of place.
 *
 * <p>Overlap is judged from native addresses, so it is checked wherever the native library is
 * loaded; on a platform without it (REFERENCE only) nothing can be compared and nothing is.
 */
final class Aliasing {
    private record Arg(String name, Tensor tensor, boolean output) {}

    private final List<Arg> args = new ArrayList<>();
    private String inPlaceOutput, inPlaceInput;

    Aliasing out(String name, Tensor t) {
        if (t != null) args.add(new Arg(name, t, true));
        return this;
    }

    Aliasing in(String name, Tensor t) {
        if (t != null) args.add(new Arg(name, t, false));
        return this;
    }

    /** Allows {@code output} to be exactly {@code input} (same start, same size). */
    Aliasing inPlace(String output, String input) {
        inPlaceOutput = output;
        inPlaceInput = input;
        return this;
    }

    void check() {
        if (NativeRuntime.loadFailure().isPresent()) return;
        for (int i = 0; i < args.size(); i++) {
            Arg a = args.get(i);
            if (!a.output || a.tensor.numel() == 0) continue;
            for (int j = 0; j < args.size(); j++) {
                Arg b = args.get(j);
                if (i == j || b.tensor.numel() == 0 || (b.output && j < i)) continue;
                long a0 = a.tensor.address(), a1 = a0 + a.tensor.numel() * Float.BYTES;
                long b0 = b.tensor.address(), b1 = b0 + b.tensor.numel() * Float.BYTES;
                if (a0 >= b1 || b0 >= a1) continue;
                boolean exact = a0 == b0 && a1 == b1;
                if (exact && a.name.equals(inPlaceOutput) && b.name.equals(inPlaceInput)) continue;
                throw new IllegalArgumentException(a.name + " overlaps " + b.name
                        + (exact ? " (they are the same memory)" : " in part")
                        + "; outputs must not share memory with other arguments"
                        + (inPlaceOutput == null ? "" : " (exact in place, " + inPlaceOutput + " = " + inPlaceInput + ", is allowed)"));
            }
        }
    }
}
