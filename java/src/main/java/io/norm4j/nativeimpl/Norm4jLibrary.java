package io.norm4j.nativeimpl;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of the C ABI in {@code native/include/norm4j/norm4j.h}. Internal: use the
 * {@code io.norm4j} facade, which validates every argument before it gets here.
 *
 * <p>Pointers cross as raw addresses ({@code long}) so a call is one JNI crossing with no
 * allocation. oneDNN and its OpenMP runtime are preloaded from the {@code org.bytedeco:dnnl} jar
 * before {@code libnorm4j}, which links them.
 */
@Platform(
        include = "norm4j/norm4j.h",
        link = "norm4j",
        library = "jninorm4j",
        preload = {"gomp@.1", "dnnl@.3"},
        preloadresource = "/org/bytedeco/dnnl/")
public final class Norm4jLibrary {
    private Norm4jLibrary() {}

    /** Loads the native libraries; throws {@link UnsatisfiedLinkError} when they cannot load. */
    public static void load() {
        Loader.load(Norm4jLibrary.class);
    }

    public static final int NORM4J_OK = 0;
    public static final int NORM4J_ERR_ARGUMENT = 1;
    public static final int NORM4J_ERR_UNSUPPORTED = 2;
    public static final int NORM4J_ERR_BACKEND = 3;

    public static final int NORM4J_ISA_SCALAR = 0;
    public static final int NORM4J_ISA_AVX2 = 1;
    public static final int NORM4J_ISA_AVX512 = 2;
    public static final int NORM4J_ISA_AVX512_BF16 = 3;

    public static native int norm4j_isa_detected();

    public static native int norm4j_isa_active();

    public static native int norm4j_isa_select(int isa);

    public static native int norm4j_set_threads(int threads);

    public static native int norm4j_threads();

    public static native @Cast("const char*") String norm4j_cpu_name();

    public static native int norm4j_convert(
            @Cast("const void*") long src, int srcType, @Cast("void*") long dst, int dstType, @Cast("int64_t") long n);

    public static native @Cast("int64_t") long norm4j_last_level_cache_bytes();

    public static native @Cast("const char*") String norm4j_last_level_cache_source();

    public static native @Cast("const char*") String norm4j_onednn_version();

    public static native int norm4j_onednn_takes_data_type(int type);

    public static native int norm4j_onednn_takes_add(int type);

    public static native @Cast("const char*") String norm4j_last_error();

    public static native int norm4j_layer_norm_forward(
            @Cast("const float*") long x,
            @Cast("float*") long y,
            @Cast("int64_t") long rows,
            @Cast("int64_t") long cols,
            @Cast("const float*") long weight,
            @Cast("const float*") long bias,
            float eps,
            @Cast("float*") long mean,
            @Cast("float*") long rstd);

    public static native int norm4j_layer_norm_forward_stored(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long rows, @Cast("int64_t") long cols,
            @Cast("const float*") long weight, @Cast("const float*") long bias, float eps, @Cast("float*") long mean,
            @Cast("float*") long rstd);

    public static native int norm4j_onednn_layer_norm_forward(
            @Cast("const void*") long x,
            int xType,
            @Cast("void*") long y,
            int yType,
            @Cast("int64_t") long rows,
            @Cast("int64_t") long cols,
            @Cast("const float*") long weight,
            @Cast("const float*") long bias,
            float eps,
            @Cast("float*") long mean,
            @Cast("float*") long rstd);

    public static native int norm4j_rms_norm_forward(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("int64_t") long rows, @Cast("int64_t") long cols, @Cast("const float*") long weight, float eps,
            @Cast("float*") long rstd);

    public static native int norm4j_rms_norm_forward_stored(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long rows, @Cast("int64_t") long cols,
            @Cast("const float*") long weight, float eps, @Cast("float*") long rstd);

    public static native int norm4j_onednn_rms_norm_forward(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long rows, @Cast("int64_t") long cols, @Cast("const float*") long weight, float eps,
            @Cast("float*") long rstd);

    public static native int norm4j_batch_norm_forward(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s, int layout,
            @Cast("const float*") long weight, @Cast("const float*") long bias, float eps,
            @Cast("const float*") long runningMean, @Cast("const float*") long runningVar,
            @Cast("float*") long mean, @Cast("float*") long rstd, @Cast("float*") long var, int activation);

    public static native int norm4j_onednn_batch_norm_forward(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s, int layout,
            @Cast("const float*") long weight, @Cast("const float*") long bias, float eps,
            @Cast("const float*") long runningMean, @Cast("const float*") long runningVar,
            @Cast("float*") long mean, @Cast("float*") long rstd, @Cast("float*") long var, int activation);

    public static native int norm4j_group_norm_forward(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s, @Cast("int64_t") long groups,
            int layout, @Cast("const float*") long weight, @Cast("const float*") long bias, float eps,
            @Cast("float*") long mean, @Cast("float*") long rstd, @Cast("float*") long var, int activation);

    public static native int norm4j_onednn_group_norm_forward(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s, @Cast("int64_t") long groups,
            int layout, @Cast("const float*") long weight, @Cast("const float*") long bias, float eps,
            @Cast("float*") long mean, @Cast("float*") long rstd, @Cast("float*") long var, int activation);

    public static native int norm4j_batch_norm_forward_stored(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            int layout, @Cast("const float*") long weight, @Cast("const float*") long bias, float eps,
            @Cast("const float*") long runningMean, @Cast("const float*") long runningVar, @Cast("float*") long mean,
            @Cast("float*") long rstd, @Cast("float*") long var, int activation);

    public static native int norm4j_group_norm_forward_stored(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            @Cast("int64_t") long groups, int layout, @Cast("const float*") long weight, @Cast("const float*") long bias,
            float eps, @Cast("float*") long mean, @Cast("float*") long rstd, @Cast("float*") long var, int activation);

    public static native int norm4j_batch_norm_backward_stored(@Cast("const void*") long x, int xType,
            @Cast("const void*") long dy, int dyType, @Cast("void*") long dx, int dxType, @Cast("int64_t") long n,
            @Cast("int64_t") long c, @Cast("int64_t") long s, int layout, @Cast("const float*") long weight,
            @Cast("const float*") long bias, @Cast("const float*") long mean, @Cast("const float*") long rstd,
            int batchStatistics, @Cast("float*") long dweight, @Cast("float*") long dbias, int activation);

    public static native int norm4j_group_norm_backward_stored(@Cast("const void*") long x, int xType,
            @Cast("const void*") long dy, int dyType, @Cast("void*") long dx, int dxType, @Cast("int64_t") long n,
            @Cast("int64_t") long c, @Cast("int64_t") long s, @Cast("int64_t") long groups, int layout,
            @Cast("const float*") long weight, @Cast("const float*") long bias, @Cast("const float*") long mean,
            @Cast("const float*") long rstd, @Cast("float*") long dweight, @Cast("float*") long dbias, int activation);

    public static native int norm4j_batch_norm_moments(@Cast("const float*") long x, @Cast("int64_t") long n,
            @Cast("int64_t") long c, @Cast("int64_t") long s, int layout, @Cast("double*") long mean,
            @Cast("double*") long m2);

    public static native int norm4j_batch_norm_normalize(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s, int layout,
            @Cast("const float*") long weight, @Cast("const float*") long bias, float eps,
            @Cast("const double*") long mean, @Cast("const double*") long var);

    public static native int norm4j_batch_norm_backward_sums(@Cast("const float*") long x,
            @Cast("const float*") long dy, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            int layout, @Cast("const double*") long mean, @Cast("const double*") long var, float eps,
            @Cast("double*") long sumDy, @Cast("double*") long sumDyXhat);

    public static native int norm4j_batch_norm_backward_dx(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("float*") long dx, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            int layout, @Cast("const float*") long weight, @Cast("const double*") long mean,
            @Cast("const double*") long var, float eps, @Cast("const double*") long sumDy,
            @Cast("const double*") long sumDyXhat, double count);

    public static native int norm4j_feature_moments(@Cast("const float*") long x, @Cast("int64_t") long samples,
            @Cast("int64_t") long features, @Cast("double*") long count, @Cast("double*") long mean,
            @Cast("double*") long m2);

    public static native int norm4j_standard_scale(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("int64_t") long samples, @Cast("int64_t") long features, @Cast("const double*") long mean,
            @Cast("const double*") long scale, int inverse);

    public static native int norm4j_min_max_fit_stored(@Cast("const void*") long x, int xType,
            @Cast("int64_t") long samples, @Cast("int64_t") long features, @Cast("float*") long dataMin,
            @Cast("float*") long dataMax, int accumulate);

    public static native int norm4j_min_max_transform_stored(@Cast("const void*") long x, int xType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long samples, @Cast("int64_t") long features,
            @Cast("const float*") long dataMin, @Cast("const float*") long dataMax, float rangeMin, float rangeMax,
            int inverse);

    public static native int norm4j_layer_norm_backward(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("float*") long dx, @Cast("int64_t") long rows, @Cast("int64_t") long cols,
            @Cast("const float*") long weight, @Cast("const float*") long mean, @Cast("const float*") long rstd,
            @Cast("float*") long dweight, @Cast("float*") long dbias);

    public static native int norm4j_rms_norm_backward(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("float*") long dx, @Cast("int64_t") long rows, @Cast("int64_t") long cols,
            @Cast("const float*") long weight, @Cast("const float*") long rstd, @Cast("float*") long dweight);

    public static native int norm4j_add(@Cast("const void*") long x, int xType, @Cast("const void*") long residual,
            int residualType, @Cast("void*") long h, int hType, @Cast("int64_t") long n);

    public static native int norm4j_onednn_add(@Cast("const void*") long x, int xType,
            @Cast("const void*") long residual, int residualType, @Cast("void*") long h, int hType,
            @Cast("int64_t") long n);

    public static native int norm4j_add_layer_norm_forward(@Cast("const void*") long x, int xType,
            @Cast("const void*") long residual, int residualType, @Cast("void*") long h, int hType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long rows, @Cast("int64_t") long cols,
            @Cast("const float*") long weight, @Cast("const float*") long bias, float eps, @Cast("float*") long mean,
            @Cast("float*") long rstd);

    public static native int norm4j_add_rms_norm_forward(@Cast("const void*") long x, int xType,
            @Cast("const void*") long residual, int residualType, @Cast("void*") long h, int hType,
            @Cast("void*") long y, int yType, @Cast("int64_t") long rows, @Cast("int64_t") long cols,
            @Cast("const float*") long weight, float eps, @Cast("float*") long rstd);

    public static native int norm4j_add_layer_norm_backward(@Cast("const void*") long h, int hType,
            @Cast("const void*") long dy, int dyType, @Cast("const void*") long dh, int dhType, @Cast("void*") long dx,
            int dxType, @Cast("int64_t") long rows, @Cast("int64_t") long cols, @Cast("const float*") long weight,
            @Cast("const float*") long mean, @Cast("const float*") long rstd, @Cast("float*") long dweight,
            @Cast("float*") long dbias);

    public static native int norm4j_add_rms_norm_backward(@Cast("const void*") long h, int hType,
            @Cast("const void*") long dy, int dyType, @Cast("const void*") long dh, int dhType, @Cast("void*") long dx,
            int dxType, @Cast("int64_t") long rows, @Cast("int64_t") long cols, @Cast("const float*") long weight,
            @Cast("const float*") long rstd, @Cast("float*") long dweight);

    public static native int norm4j_layer_norm_backward_stored(@Cast("const void*") long x, int xType,
            @Cast("const void*") long dy, int dyType, @Cast("void*") long dx, int dxType, @Cast("int64_t") long rows,
            @Cast("int64_t") long cols, @Cast("const float*") long weight, @Cast("const float*") long mean,
            @Cast("const float*") long rstd, @Cast("float*") long dweight, @Cast("float*") long dbias);

    public static native int norm4j_rms_norm_backward_stored(@Cast("const void*") long x, int xType,
            @Cast("const void*") long dy, int dyType, @Cast("void*") long dx, int dxType, @Cast("int64_t") long rows,
            @Cast("int64_t") long cols, @Cast("const float*") long weight, @Cast("const float*") long rstd,
            @Cast("float*") long dweight);

    public static native int norm4j_batch_norm_backward(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("float*") long dx, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            int layout, @Cast("const float*") long weight, @Cast("const float*") long bias,
            @Cast("const float*") long mean, @Cast("const float*") long rstd, int batchStatistics,
            @Cast("float*") long dweight, @Cast("float*") long dbias, int activation);

    public static native int norm4j_activate(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("int64_t") long n, int activation);

    public static native int norm4j_onednn_activate(@Cast("const float*") long x, @Cast("float*") long y,
            @Cast("int64_t") long n, int activation);

    public static native int norm4j_activation_backward(@Cast("const float*") long pre, @Cast("const float*") long dy,
            @Cast("float*") long dpre, @Cast("int64_t") long n, int activation);

    public static native int norm4j_activation_gradient(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("float*") long dpre, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            @Cast("int64_t") long groups, int layout, @Cast("const float*") long weight,
            @Cast("const float*") long bias, @Cast("const float*") long mean, @Cast("const float*") long rstd,
            int activation);

    public static native int norm4j_group_norm_backward(@Cast("const float*") long x, @Cast("const float*") long dy,
            @Cast("float*") long dx, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            @Cast("int64_t") long groups, int layout, @Cast("const float*") long weight,
            @Cast("const float*") long bias, @Cast("const float*") long mean, @Cast("const float*") long rstd,
            @Cast("float*") long dweight, @Cast("float*") long dbias, int activation);

    public static native int norm4j_onednn_layer_norm_backward(@Cast("const void*") long x, int xType,
            @Cast("const void*") long dy, int dyType, @Cast("void*") long dx, int dxType, @Cast("int64_t") long rows, @Cast("int64_t") long cols,
            @Cast("const float*") long weight, @Cast("const float*") long mean, @Cast("const float*") long rstd,
            @Cast("float*") long dweight, @Cast("float*") long dbias);


    public static native int norm4j_onednn_batch_norm_backward(@Cast("const void*") long x, int xType,
            @Cast("const void*") long dy, int dyType, @Cast("void*") long dx, int dxType, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            int layout, @Cast("const float*") long weight, @Cast("const float*") long mean,
            @Cast("const float*") long rstd, int batchStatistics, @Cast("float*") long dweight,
            @Cast("float*") long dbias);

    public static native int norm4j_onednn_group_norm_backward(@Cast("const void*") long x, int xType,
            @Cast("const void*") long dy, int dyType, @Cast("void*") long dx, int dxType, @Cast("int64_t") long n, @Cast("int64_t") long c, @Cast("int64_t") long s,
            @Cast("int64_t") long groups, int layout, @Cast("const float*") long weight,
            @Cast("const float*") long mean, @Cast("const float*") long rstd, @Cast("float*") long dweight,
            @Cast("float*") long dbias);

    public static native @Cast("int64_t") long norm4j_native_heap_in_use();

    public static native int norm4j_copy(@Cast("const float*") long src, @Cast("float*") long dst,
            @Cast("int64_t") long n);
}
