package io.norm4j;

import io.norm4j.nativeimpl.Norm4jLibrary;
import java.util.Optional;
import java.util.OptionalLong;

/** What this process found: the CPU, the kernel set NATIVE uses, oneDNN's version. */
public final class RuntimeInfo {
    private RuntimeInfo() {}

    /** norm4j's version, from the jar manifest or "dev" when run from classes. */
    public static String version() {
        String v = RuntimeInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The CPU's brand string, or "unknown" without the native library. */
    public static String cpu() {
        return nativeLoaded() ? Norm4jLibrary.norm4j_cpu_name() : "unknown";
    }

    /**
     * The kernel set NATIVE runs ("avx512_bf16", "avx512", "avx2" or "scalar"), empty without the
     * native library.
     */
    public static Optional<String> activeIsa() {
        return nativeLoaded() ? Optional.of(NativeRuntime.isaName(Norm4jLibrary.norm4j_isa_active())) : Optional.empty();
    }

    /** The best kernel set the CPU supports, empty without the native library. */
    public static Optional<String> detectedIsa() {
        return nativeLoaded() ? Optional.of(NativeRuntime.isaName(Norm4jLibrary.norm4j_isa_detected())) : Optional.empty();
    }

    /**
     * The last-level cache one core can use, in bytes, as NATIVE found it at load (calls whose data
     * outgrow it write their outputs around the caches); empty without the native library. The
     * environment variable {@code NORM4J_LAST_LEVEL_CACHE} (bytes, or with a K, M or G suffix)
     * overrides what the CPU tells.
     */
    public static OptionalLong lastLevelCacheBytes() {
        return nativeLoaded() ? OptionalLong.of(Norm4jLibrary.norm4j_last_level_cache_bytes()) : OptionalLong.empty();
    }

    /** Where {@link #lastLevelCacheBytes()} came from ("sysfs", "cpuid", the variable, or the default). */
    public static Optional<String> lastLevelCacheSource() {
        return nativeLoaded() ? Optional.of(Norm4jLibrary.norm4j_last_level_cache_source()) : Optional.empty();
    }

    /** oneDNN's version ("3.x.y"), empty without the native library. */
    public static Optional<String> onednnVersion() {
        return nativeLoaded() ? Optional.of(Norm4jLibrary.norm4j_onednn_version()) : Optional.empty();
    }

    /**
     * Forces NATIVE's kernel set for the whole process ("scalar", "avx2", "avx512" or
     * "avx512_bf16"), as {@code -Dnorm4j.isa} does at start-up.
     *
     * @throws UnsupportedOperationException if the CPU lacks it or the native library is missing
     */
    public static void selectIsa(String isa) {
        NativeRuntime.require(Backend.NATIVE);
        NativeRuntime.selectIsa(isa);
    }

    /**
     * Sets how many threads NATIVE may use for a large call; 0 restores the default (the processor
     * count). Calls below 32K values always run on the calling thread. The results are the
     * same bits for any thread count.
     *
     * @throws IllegalArgumentException if threads is negative
     * @throws UnsupportedOperationException without the native library
     */
    public static void setThreads(int threads) {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        NativeRuntime.require(Backend.NATIVE);
        NativeRuntime.check(Norm4jLibrary.norm4j_set_threads(threads), "setThreads");
    }

    /** Threads NATIVE uses for a large call (1 without the native library). */
    public static int threads() {
        return nativeLoaded() ? Norm4jLibrary.norm4j_threads() : 1;
    }

    /**
     * Bytes the native C heap holds (glibc's count of malloc'd memory), or -1 where that cannot be
     * known or the native library is not loaded. For leak checks.
     */
    public static long nativeHeapInUse() {
        return nativeLoaded() ? Norm4jLibrary.norm4j_native_heap_in_use() : -1;
    }

    private static boolean nativeLoaded() {
        return NativeRuntime.loadFailure().isEmpty();
    }
}
