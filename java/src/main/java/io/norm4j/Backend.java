package io.norm4j;

import java.util.Locale;
import java.util.Optional;

/**
 * The implementations a call can run on. Every backend computes the same function; they differ in
 * speed and in how they are built.
 */
public enum Backend {
    /**
     * The fastest available backend that supports the call (NATIVE, then ONEDNN, then REFERENCE).
     * The system property {@code norm4j.backend} replaces this choice for the whole process.
     */
    AUTO,
    /** Pure Java with double accumulation: the oracle, available everywhere. */
    REFERENCE,
    /** norm4j's own C++ kernels (AVX2/FMA or portable scalar, chosen by CPUID). */
    NATIVE,
    /** oneDNN's normalization primitives, called from norm4j's C++. */
    ONEDNN;

    /** Whether calls can run on this backend in this process (AUTO always can). */
    public boolean isAvailable() {
        return this == AUTO || this == REFERENCE || NativeRuntime.loadFailure().isEmpty();
    }

    /** Why this backend cannot run here, if it cannot. */
    public Optional<String> unavailableReason() {
        return isAvailable() ? Optional.empty() : NativeRuntime.loadFailure();
    }

    /** Lower-case name as used on the command line and in JSON ("native"). */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a name case-insensitively ("native", "ONEDNN"). */
    public static Backend fromName(String name) {
        for (Backend b : values()) {
            if (b.name().equalsIgnoreCase(name.trim())) return b;
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; expected one of auto, reference, native, onednn");
    }
}
