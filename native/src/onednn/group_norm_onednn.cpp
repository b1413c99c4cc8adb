// ONEDNN group norm (and instance norm, groups = c): oneDNN's group_normalization_forward on
// [n, c, s] in nchw (abc) or nhwc (acb) order, its data stored as the caller's types; statistics are [n, groups]. group_norm_silu's
// forward adds a swish post-op.
#include "../api_checks.h"
#include "onednn_call.h"

namespace norm4j::onednn {

namespace {

constexpr int kGroupNormOp = 4;

dnnl::memory::desc stats_desc(int64_t n, int64_t groups) {
    return dnnl::memory::desc({n, groups}, dnnl::memory::data_type::f32,
                              dnnl::memory::format_tag::ab);
}

// With silu, oneDNN's swish (x * sigmoid(x)) as a post-op on the output.
const dnnl::group_normalization_forward &primitive_for(int64_t n, int64_t c, int64_t s,
                                                       int64_t groups, int layout, int x_type,
                                                       int y_type, bool training,
                                                       dnnl::normalization_flags flags,
                                                       float eps, bool silu) {
    thread_local PrimitiveCache<dnnl::group_normalization_forward> cache;
    const int types = pack_types(x_type, y_type);
    return cache.get(make_key(kGroupNormOp + (silu ? 16 : 0), types, training, layout, n, c, s, groups, flags, eps), [&] {
        dnnl::primitive_attr attr;
        if (silu) {
            dnnl::post_ops ops;
            ops.append_eltwise(dnnl::algorithm::eltwise_swish, 1.0f, 0.0f);
            attr.set_post_ops(ops);
        }
        dnnl::group_normalization_forward::primitive_desc pd(engine(), prop_for(training),
                                                             channels_desc(n, c, s, layout, x_type),
                                                             channels_desc(n, c, s, layout, y_type),
                                                             groups, eps, flags, attr, true);
        return primitive_of<dnnl::group_normalization_forward>(pd);
    });
}

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_group_norm_forward(const void *x, int x_type, void *y, int y_type,
                                                int64_t n, int64_t c,
                                                int64_t s, int64_t groups, int layout,
                                                const float *weight, const float *bias,
                                                float eps, float *mean, float *rstd,
                                                float *var, int activation) {
    using namespace norm4j::onednn;
    bool empty = false;
    const int status = norm4j::check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, &empty);
    if (status != NORM4J_OK) return status;
    if (activation != NORM4J_ACTIVATION_NONE && activation != NORM4J_ACTIVATION_SILU)
        return norm4j::fail(NORM4J_ERR_ARGUMENT, "oneDNN's group norm takes no activation but SiLU here");
    if (groups <= 0 || (c > 0 && c % groups != 0))
        return norm4j::fail(NORM4J_ERR_ARGUMENT, "groups must be positive and divide the channels");
    if (empty) return NORM4J_OK;
    return guarded("group normalization", types_note("x", x_type, "y", y_type), [&] {
        const bool training = mean != nullptr;
        const auto &gn = primitive_for(n, c, s, groups, layout, x_type, y_type, training,
                                       affine_flags(weight, bias), eps, activation == NORM4J_ACTIVATION_SILU);
        if (!gn) return kNoImplementation;
        Arguments args;
        args.add(DNNL_ARG_SRC, channels_desc(n, c, s, layout, x_type), x);
        args.add(DNNL_ARG_DST, channels_desc(n, c, s, layout, y_type), y);
        args.add(DNNL_ARG_SCALE, vector_desc(c), weight);
        args.add(DNNL_ARG_SHIFT, vector_desc(c), bias);
        args.add(DNNL_ARG_MEAN, stats_desc(n, groups), mean);
        args.add(DNNL_ARG_VARIANCE, stats_desc(n, groups), rstd);
        args.execute(gn);
        if (training) variance_to_rstd(rstd, var, n * groups, eps);
        return NORM4J_OK;
    });
}

extern "C" int norm4j_onednn_group_norm_backward(const void *x, int x_type, const void *dy,
                                                 int dy_type, void *dx, int dx_type, int64_t n, int64_t c, int64_t s,
                                                 int64_t groups, int layout,
                                                 const float *weight, const float *mean,
                                                 const float *rstd, float *dweight,
                                                 float *dbias) {
    using namespace norm4j::onednn;
    if (!norm4j::valid_layout(layout)) return norm4j::fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    if (groups <= 0 || (c > 0 && c % groups != 0))
        return norm4j::fail(NORM4J_ERR_ARGUMENT, "groups must be positive and divide the channels");
    bool empty = false;
    const int status = norm4j::check_backward_call(x, dy, dx, n, c, s, mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    return guarded("group normalization backward", types_note("x", x_type, "dy", dy_type, "dx", dx_type), [&] {
        constexpr float eps = 0.0f;  // see BackwardScratch
        const auto flags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
        constexpr int kGroupNormBackwardOp = 8;
        thread_local PrimitiveCache<dnnl::group_normalization_backward> cache;
        const int types = pack_types(x_type, dy_type, dx_type);
        const auto &bwd = cache.get(make_key(kGroupNormBackwardOp, types, true, layout, n, c, s, groups, flags, eps), [&] {
            const auto data = channels_desc(n, c, s, layout, x_type);
            dnnl::group_normalization_forward::primitive_desc fwd(engine(), dnnl::prop_kind::forward_training, data,
                                                                  data, groups, eps, flags, dnnl::primitive_attr(),
                                                                  true);
            if (!fwd) return dnnl::group_normalization_backward();
            dnnl::group_normalization_backward::primitive_desc pd(
                engine(), dnnl::prop_kind::backward, channels_desc(n, c, s, layout, dx_type),
                channels_desc(n, c, s, layout, dy_type), data, groups, eps, flags, fwd, dnnl::primitive_attr(), true);
            return primitive_of<dnnl::group_normalization_backward>(pd);
        });
        if (!bwd) return kNoImplementation;
        BackwardScratch scratch(rstd, n * groups, c);
        Arguments args;
        args.add(DNNL_ARG_SRC, channels_desc(n, c, s, layout, x_type), x);
        args.add(DNNL_ARG_DIFF_DST, channels_desc(n, c, s, layout, dy_type), dy);
        args.add(DNNL_ARG_DIFF_SRC, channels_desc(n, c, s, layout, dx_type), dx);
        args.add(DNNL_ARG_MEAN, stats_desc(n, groups), mean);
        args.add(DNNL_ARG_VARIANCE, stats_desc(n, groups), scratch.variance.data());
        args.add(DNNL_ARG_SCALE, vector_desc(c), scratch.scale(weight));
        args.add(DNNL_ARG_DIFF_SCALE, vector_desc(c), scratch.diff_scale(dweight));
        args.add(DNNL_ARG_DIFF_SHIFT, vector_desc(c), scratch.diff_shift(dbias));
        args.execute(bwd);
        return NORM4J_OK;
    });
}
