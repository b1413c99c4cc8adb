package io.norm4j;

/**
 * What the parity tests run against REFERENCE: each backend, and NATIVE once per kernel set, since
 * the AVX2 and the scalar kernels are different code.
 */
enum BackendVariant {
    NATIVE_AVX2(Backend.NATIVE, "avx2"),
    NATIVE_SCALAR(Backend.NATIVE, "scalar"),
    ONEDNN(Backend.ONEDNN, null);

    final Backend backend;
    final String isa;

    BackendVariant(Backend backend, String isa) {
        this.backend = backend;
        this.isa = isa;
    }

    /**
     * The variants this machine can run: NATIVE's AVX2 kernels only where the CPU has AVX2 and FMA
     * (on arm64 NATIVE has its portable kernels only).
     */
    static java.util.List<BackendVariant> available() {
        boolean avx2 = RuntimeInfo.detectedIsa().map("avx2"::equals).orElse(false);
        return java.util.Arrays.stream(values()).filter(v -> avx2 || !"avx2".equals(v.isa)).toList();
    }

    /** Selects this variant's kernel set; returns what to run afterwards to restore the default. */
    Runnable activate() {
        if (isa == null) return () -> {};
        String previous = RuntimeInfo.activeIsa().orElseThrow();
        RuntimeInfo.selectIsa(isa);
        return () -> RuntimeInfo.selectIsa(previous);
    }
}
