package io.norm4j;

/**
 * What the parity tests run against REFERENCE: each backend, and NATIVE once per kernel set, since
 * the AVX-512 (with and without AVX512_BF16), AVX2 and scalar kernels are different code.
 */
public enum BackendVariant {
    NATIVE_AVX512_BF16(Backend.NATIVE, "avx512_bf16"),
    NATIVE_AVX512(Backend.NATIVE, "avx512"),
    NATIVE_AVX2(Backend.NATIVE, "avx2"),
    NATIVE_SCALAR(Backend.NATIVE, "scalar"),
    ONEDNN(Backend.ONEDNN, null);

    public final Backend backend;
    public final String isa;

    BackendVariant(Backend backend, String isa) {
        this.backend = backend;
        this.isa = isa;
    }

    /**
     * The variants this machine can run: NATIVE's kernel sets up to the best the CPU has (AVX-512
     * implies AVX2; on arm64 NATIVE has its portable kernels only).
     */
    public static java.util.List<BackendVariant> available() {
        java.util.List<String> order = NativeRuntime.ISA_NAMES;
        int best = order.indexOf(RuntimeInfo.detectedIsa().orElse("scalar"));
        return java.util.Arrays.stream(values()).filter(v -> v.isa == null || order.indexOf(v.isa) <= best).toList();
    }

    /** Selects this variant's kernel set; returns what to run afterwards to restore the default. */
    /**
     * call on "REFERENCE"'s Norms, or on the backend of the variant of that name, with a NATIVE
     * variant's kernel set selected for the call.
     */
    static <T> T on(String variant, java.util.function.Function<Norms, T> call) {
        if (variant.equals("REFERENCE")) return call.apply(Norms.on(Backend.REFERENCE));
        BackendVariant v = valueOf(variant);
        Runnable restore = v.activate();
        try {
            return call.apply(Norms.on(v.backend));
        } finally {
            restore.run();
        }
    }

    public Runnable activate() {
        if (isa == null) return () -> {};
        String previous = RuntimeInfo.activeIsa().orElseThrow();
        RuntimeInfo.selectIsa(isa);
        return () -> RuntimeInfo.selectIsa(previous);
    }
}
