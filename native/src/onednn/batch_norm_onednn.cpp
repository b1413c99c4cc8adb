// ONEDNN batch norm: oneDNN's batch_normalization_forward on [n, c, s] in nchw (abc) or
// nhwc (acb) order, its data stored as the caller's types. Inference passes the running statistics with use_global_stats;
// batch_norm_relu's forward sets fuse_norm_relu.
#include "../api_checks.h"
#include "onednn_call.h"

namespace norm4j::onednn {

namespace {

constexpr int kBatchNormOp = 3;

const dnnl::batch_normalization_forward &primitive_for(int64_t n, int64_t c, int64_t s,
                                                       int layout, int x_type, int y_type,
                                                       bool training,
                                                       dnnl::normalization_flags flags,
                                                       float eps) {
    thread_local PrimitiveCache<dnnl::batch_normalization_forward> cache;
    return cache.get(make_key(kBatchNormOp, pack_types(x_type, y_type), training, layout, n, c, s, 0, flags, eps), [&] {
        dnnl::batch_normalization_forward::primitive_desc pd(engine(), prop_for(training),
                                                             channels_desc(n, c, s, layout, x_type),
                                                             channels_desc(n, c, s, layout, y_type),
                                                             eps, flags, dnnl::primitive_attr(), true);
        return primitive_of<dnnl::batch_normalization_forward>(pd);
    });
}

// The workspace a primitive writes (empty where it writes none), from its descriptor.
dnnl::memory::desc workspace_of(const dnnl::primitive &p) {
    const_dnnl_memory_desc_t md = dnnl_primitive_desc_query_md(p.get_primitive_desc(), dnnl_query_workspace_md, 0);
    if (md == nullptr) return {};
    dnnl_memory_desc_t copy = nullptr;
    dnnl::error::wrap_c_api(dnnl_memory_desc_clone(&copy, md), "could not copy the workspace descriptor");
    return dnnl::memory::desc(copy);
}

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_batch_norm_forward(const void *x, int x_type, void *y, int y_type,
                                                int64_t n, int64_t c,
                                                int64_t s, int layout, const float *weight,
                                                const float *bias, float eps,
                                                const float *running_mean,
                                                const float *running_var, float *mean,
                                                float *rstd, float *var, int activation) {
    using namespace norm4j::onednn;
    if (activation != NORM4J_ACTIVATION_NONE && activation != NORM4J_ACTIVATION_RELU)
        return norm4j::fail(NORM4J_ERR_ARGUMENT, "oneDNN's batch norm takes no activation but ReLU here");
    bool empty = false;
    const int status = norm4j::check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, &empty);
    if (status != NORM4J_OK) return status;
    const bool training = mean != nullptr;
    if (!training && (running_mean == nullptr || running_var == nullptr))
        return norm4j::fail(NORM4J_ERR_ARGUMENT, "inference needs running_mean and running_var");
    if (empty) return NORM4J_OK;
    return guarded("batch normalization", types_note("x", x_type, "y", y_type), [&] {
        auto flags = affine_flags(weight, bias);
        if (!training) flags = flags | dnnl::normalization_flags::use_global_stats;
        if (activation == NORM4J_ACTIVATION_RELU) flags = flags | dnnl::normalization_flags::fuse_norm_relu;
        const auto &bn = primitive_for(n, c, s, layout, x_type, y_type, training, flags, eps);
        if (!bn) return kNoImplementation;
        Arguments args;
        args.add(DNNL_ARG_SRC, channels_desc(n, c, s, layout, x_type), x);
        args.add(DNNL_ARG_DST, channels_desc(n, c, s, layout, y_type), y);
        args.add(DNNL_ARG_SCALE, vector_desc(c), weight);
        args.add(DNNL_ARG_SHIFT, vector_desc(c), bias);
        args.add(DNNL_ARG_MEAN, vector_desc(c), training ? mean : running_mean);
        args.add(DNNL_ARG_VARIANCE, vector_desc(c), training ? rstd : running_var);
        // Training with the fused ReLU writes its mask for a backward that norm4j does not run.
        if (training && activation == NORM4J_ACTIVATION_RELU) args.add_workspace(workspace_of(bn));
        args.execute(bn);
        if (training) variance_to_rstd(rstd, var, c, eps);
        return NORM4J_OK;
    });
}

extern "C" int norm4j_onednn_batch_norm_backward(const void *x, int x_type, const void *dy,
                                                 int dy_type, void *dx, int dx_type, int64_t n, int64_t c, int64_t s, int layout,
                                                 const float *weight, const float *mean,
                                                 const float *rstd, int batch_statistics,
                                                 float *dweight, float *dbias) {
    using namespace norm4j::onednn;
    if (!norm4j::valid_layout(layout)) return norm4j::fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    bool empty = false;
    const int status = norm4j::check_backward_call(x, dy, dx, n, c, s, mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    return guarded("batch normalization backward", types_note("x", x_type, "dy", dy_type, "dx", dx_type), [&] {
        constexpr float eps = 0.0f;  // see BackwardScratch
        auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
        if (!batch_statistics) flags = flags | dnnl::normalization_flags::use_global_stats;
        constexpr int kBatchNormBackwardOp = 7;
        thread_local PrimitiveCache<dnnl::batch_normalization_backward> cache;
        const int types = pack_types(x_type, dy_type, dx_type);
        const auto &bwd = cache.get(make_key(kBatchNormBackwardOp, types, true, layout, n, c, s, 0, flags, eps), [&] {
            const auto data = channels_desc(n, c, s, layout, x_type);
            dnnl::batch_normalization_forward::primitive_desc fwd(
                engine(), dnnl::prop_kind::forward_training, data, data, eps, flags, dnnl::primitive_attr(), true);
            if (!fwd) return dnnl::batch_normalization_backward();
            dnnl::batch_normalization_backward::primitive_desc pd(
                engine(), dnnl::prop_kind::backward, channels_desc(n, c, s, layout, dx_type),
                channels_desc(n, c, s, layout, dy_type), data, eps, flags, fwd, dnnl::primitive_attr(), true);
            return primitive_of<dnnl::batch_normalization_backward>(pd);
        });
        if (!bwd) return kNoImplementation;
        BackwardScratch scratch(rstd, c, c);
        Arguments args;
        args.add(DNNL_ARG_SRC, channels_desc(n, c, s, layout, x_type), x);
        args.add(DNNL_ARG_DIFF_DST, channels_desc(n, c, s, layout, dy_type), dy);
        args.add(DNNL_ARG_DIFF_SRC, channels_desc(n, c, s, layout, dx_type), dx);
        args.add(DNNL_ARG_MEAN, vector_desc(c), mean);
        args.add(DNNL_ARG_VARIANCE, vector_desc(c), scratch.variance.data());
        args.add(DNNL_ARG_SCALE, vector_desc(c), scratch.scale(weight));
        args.add(DNNL_ARG_DIFF_SCALE, vector_desc(c), scratch.diff_scale(dweight));
        args.add(DNNL_ARG_DIFF_SHIFT, vector_desc(c), scratch.diff_shift(dbias));
        args.execute(bwd);
        return NORM4J_OK;
    });
}
