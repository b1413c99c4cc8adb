// ONEDNN layer norm and RMS norm: oneDNN's layer_normalization_forward primitive on a
// [rows, cols] matrix (RMS norm through its rms_norm flag), its data stored as the caller's types
// (oneDNN offers bf16 and f16 where the CPU has the instructions its kernels need). oneDNN saves the variance (for
// RMS norm, the mean square); norm4j's contract is rstd, converted afterwards in place.
#include "../api_checks.h"
#include "onednn_call.h"

namespace norm4j::onednn {

namespace {

constexpr int kLayerNormOp = 1;
constexpr int kRmsNormOp = 2;

const dnnl::layer_normalization_forward &primitive_for(int op, int64_t rows, int64_t cols,
                                                       int x_type, int y_type, bool training,
                                                       dnnl::normalization_flags flags,
                                                       float eps) {
    thread_local PrimitiveCache<dnnl::layer_normalization_forward> cache;
    return cache.get(make_key(op, pack_types(x_type, y_type), training, 0, rows, cols, 0, 0, flags, eps), [&] {
        dnnl::layer_normalization_forward::primitive_desc pd(engine(), prop_for(training),
                                                             matrix_desc(rows, cols, x_type),
                                                             matrix_desc(rows, cols, y_type),
                                                             vector_desc(rows), eps, flags,
                                                             dnnl::primitive_attr(), true);
        return primitive_of<dnnl::layer_normalization_forward>(pd);
    });
}

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_layer_norm_forward(const void *x, int x_type, void *y, int y_type,
                                                int64_t rows, int64_t cols, const float *weight,
                                                const float *bias, float eps, float *mean,
                                                float *rstd) {
    using namespace norm4j::onednn;
    int status = norm4j::check_rows_call(x, y, rows, cols, eps);
    if (status == NORM4J_OK) status = norm4j::check_statistics_pair(mean, rstd);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    return guarded("layer normalization", types_note("x", x_type, "y", y_type), [&] {
        const bool training = mean != nullptr;
        const auto &ln = primitive_for(kLayerNormOp, rows, cols, x_type, y_type, training,
                                       affine_flags(weight, bias), eps);
        if (!ln) return kNoImplementation;
        Arguments args;
        args.add(DNNL_ARG_SRC, matrix_desc(rows, cols, x_type), x);
        args.add(DNNL_ARG_DST, matrix_desc(rows, cols, y_type), y);
        args.add(DNNL_ARG_SCALE, vector_desc(cols), weight);
        args.add(DNNL_ARG_SHIFT, vector_desc(cols), bias);
        args.add(DNNL_ARG_MEAN, vector_desc(rows), mean);
        args.add(DNNL_ARG_VARIANCE, vector_desc(rows), rstd);
        args.execute(ln);
        if (training) variance_to_rstd(rstd, nullptr, rows, eps);
        return NORM4J_OK;
    });
}

extern "C" int norm4j_onednn_rms_norm_forward(const void *x, int x_type, void *y, int y_type,
                                              int64_t rows, int64_t cols, const float *weight,
                                              float eps, float *rstd) {
    using namespace norm4j::onednn;
    const int status = norm4j::check_rows_call(x, y, rows, cols, eps);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    return guarded("RMS normalization", types_note("x", x_type, "y", y_type), [&] {
        const bool training = rstd != nullptr;
        const auto flags = affine_flags(weight, nullptr) | dnnl::normalization_flags::rms_norm;
        const auto &ln = primitive_for(kRmsNormOp, rows, cols, x_type, y_type, training, flags, eps);
        if (!ln) return kNoImplementation;
        Arguments args;
        args.add(DNNL_ARG_SRC, matrix_desc(rows, cols, x_type), x);
        args.add(DNNL_ARG_DST, matrix_desc(rows, cols, y_type), y);
        args.add(DNNL_ARG_SCALE, vector_desc(cols), weight);
        args.add(DNNL_ARG_VARIANCE, vector_desc(rows), rstd);
        args.execute(ln);
        if (training) variance_to_rstd(rstd, nullptr, rows, eps);
        return NORM4J_OK;
    });
}

namespace norm4j::onednn {

namespace {

constexpr int kLayerNormBackwardOp = 5;

// Backward always uses a scale and a shift, so the parameter gradients exist.
int layer_norm_backward(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                        int dx_type, int64_t rows, int64_t cols, const float *weight,
                        const float *mean, const float *rstd, float *dweight, float *dbias) {
    constexpr float eps = 0.0f;  // see BackwardScratch
    const auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
    thread_local PrimitiveCache<dnnl::layer_normalization_backward> cache;
    const int types = pack_types(x_type, dy_type, dx_type);
    const auto &bwd = cache.get(make_key(kLayerNormBackwardOp, types, true, 0, rows, cols, 0, 0, flags, eps), [&] {
        const auto data = matrix_desc(rows, cols, x_type);
        dnnl::layer_normalization_forward::primitive_desc fwd(engine(), dnnl::prop_kind::forward_training, data,
                                                              data, vector_desc(rows), eps, flags,
                                                              dnnl::primitive_attr(), true);
        if (!fwd) return dnnl::layer_normalization_backward();
        dnnl::layer_normalization_backward::primitive_desc pd(
            engine(), dnnl::prop_kind::backward, matrix_desc(rows, cols, dx_type),
            matrix_desc(rows, cols, dy_type), data, vector_desc(rows), eps, flags, fwd, dnnl::primitive_attr(), true);
        return primitive_of<dnnl::layer_normalization_backward>(pd);
    });
    if (!bwd) return kNoImplementation;
    BackwardScratch scratch(rstd, rows, cols);
    Arguments args;
    args.add(DNNL_ARG_SRC, matrix_desc(rows, cols, x_type), x);
    args.add(DNNL_ARG_DIFF_DST, matrix_desc(rows, cols, dy_type), dy);
    args.add(DNNL_ARG_DIFF_SRC, matrix_desc(rows, cols, dx_type), dx);
    args.add(DNNL_ARG_MEAN, vector_desc(rows), mean);
    args.add(DNNL_ARG_VARIANCE, vector_desc(rows), scratch.variance.data());
    args.add(DNNL_ARG_SCALE, vector_desc(cols), scratch.scale(weight));
    args.add(DNNL_ARG_DIFF_SCALE, vector_desc(cols), scratch.diff_scale(dweight));
    args.add(DNNL_ARG_DIFF_SHIFT, vector_desc(cols), scratch.diff_shift(dbias));
    args.execute(bwd);
    return NORM4J_OK;
}

}  // namespace

}  // namespace norm4j::onednn

// oneDNN's backward takes the variance and eps; norm4j saves mean and rstd. Passing
// variance = 1 / rstd^2 with eps = 0 makes oneDNN's 1 / sqrt(variance + eps) give rstd back.
extern "C" int norm4j_onednn_layer_norm_backward(const void *x, int x_type, const void *dy,
                                                 int dy_type, void *dx, int dx_type,
                                                 int64_t rows, int64_t cols,
                                                 const float *weight, const float *mean,
                                                 const float *rstd, float *dweight,
                                                 float *dbias) {
    using namespace norm4j::onednn;
    bool empty = false;
    const int status = norm4j::check_backward_call(x, dy, dx, rows, cols, 1,
                                                   mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    return guarded("layer normalization backward", types_note("x", x_type, "dy", dy_type, "dx", dx_type), [&] {
        return layer_norm_backward(x, x_type, dy, dy_type, dx, dx_type, rows, cols, weight, mean, rstd,
                                   dweight, dbias);
    });
}
