package io.norm4j;

import io.norm4j.nativeimpl.Norm4jLibrary;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Loads the native library once and turns its status codes into Java exceptions.
 *
 * <p>A load failure is remembered, not thrown: REFERENCE keeps working, asking for NATIVE or ONEDNN
 * explains why they are missing. {@code -Dnorm4j.isa=scalar} forces the portable kernels.
 */
final class NativeRuntime {
    private NativeRuntime() {}

    private static final class Holder {
        static final Optional<String> FAILURE = load();
    }

    private static Optional<String> load() {
        try {
            Norm4jLibrary.load();
        } catch (Throwable t) { // UnsatisfiedLinkError, or a class JavaCPP cannot find
            return Optional.of("no native library for platform " + platform() + " could be loaded (" + t + ")");
        }
        String isa = System.getProperty("norm4j.isa");
        if (isa != null && !isa.isBlank()) selectIsa(isa);
        return Optional.empty();
    }

    /** JavaCPP's name for this platform ("linux-x86_64"), computed without native code. */
    static String platform() {
        try {
            return org.bytedeco.javacpp.Loader.getPlatform();
        } catch (Throwable t) {
            return System.getProperty("os.name") + "-" + System.getProperty("os.arch");
        }
    }

    /** Empty when the native library is loaded, else the reason it is not. */
    static Optional<String> loadFailure() {
        return Holder.FAILURE;
    }

    /** Throws {@link UnsupportedOperationException} naming the backend if the library is missing. */
    static void require(Backend backend) {
        Holder.FAILURE.ifPresent(reason -> {
            throw new UnsupportedOperationException(backend + " backend is not available: " + reason);
        });
    }

    /**
     * NATIVE's kernel sets by name, each at the index of its {@code NORM4J_ISA_*} value: from the
     * portable kernels up, each set runs on every CPU that runs the next one.
     */
    static final List<String> ISA_NAMES = List.of("scalar", "avx2", "avx512", "avx512_bf16");

    static void selectIsa(String name) {
        int isa = ISA_NAMES.indexOf(name.trim().toLowerCase(Locale.ROOT));
        if (isa < 0) {
            throw new IllegalArgumentException("unknown ISA '" + name + "'; expected one of " + String.join(", ", ISA_NAMES));
        }
        int status = Norm4jLibrary.norm4j_isa_select(isa);
        if (status != Norm4jLibrary.NORM4J_OK) {
            throw new UnsupportedOperationException("this CPU cannot run the " + name + " kernels");
        }
    }

    static String isaName(int isa) {
        return ISA_NAMES.get(isa);
    }

    /** Turns a native status into the matching exception; {@code op} names the call. */
    static void check(int status, String op) {
        if (status == Norm4jLibrary.NORM4J_OK) return;
        String reason = Norm4jLibrary.norm4j_last_error();
        String detail = op + (reason == null || reason.isEmpty() ? "" : ": " + reason);
        switch (status) {
            case Norm4jLibrary.NORM4J_ERR_ARGUMENT -> throw new IllegalArgumentException(detail);
            case Norm4jLibrary.NORM4J_ERR_UNSUPPORTED -> throw new UnsupportedOperationException(detail);
            default -> throw new Norm4jException(detail);
        }
    }
}
