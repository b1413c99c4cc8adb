// ONEDNN layer norm: oneDNN's layer_normalization_forward primitive on a [rows, cols]
// f32 matrix. oneDNN saves the variance; norm4j's contract is rstd, so training converts
// the variance oneDNN wrote into rstd afterwards, in the same buffer.
#include <cmath>

#include "../api_checks.h"
#include "../last_error.h"
#include "onednn_context.h"

namespace norm4j::onednn {

namespace {

constexpr int kLayerNormOp = 1;

using dnnl::layer_normalization_forward;
using dnnl::memory;
using dnnl::normalization_flags;
using dnnl::prop_kind;

normalization_flags flags_for(bool scale, bool shift) {
    normalization_flags f = normalization_flags::none;
    if (scale) f = f | normalization_flags::use_scale;
    if (shift) f = f | normalization_flags::use_shift;
    return f;
}

layer_normalization_forward &primitive_for(int64_t rows, int64_t cols, bool training,
                                           normalization_flags flags, float eps) {
    thread_local PrimitiveCache<layer_normalization_forward> cache;
    PrimitiveKey key{};
    key.op = kLayerNormOp;
    key.prop = training ? 1 : 0;
    key.dims[0] = rows;
    key.dims[1] = cols;
    key.flags = static_cast<uint32_t>(flags);
    key.eps_bits = float_bits(eps);
    return cache.get(key, [&] {
        const memory::desc data({rows, cols}, memory::data_type::f32, memory::format_tag::ab);
        const memory::desc stats({rows}, memory::data_type::f32, memory::format_tag::a);
        const prop_kind prop = training ? prop_kind::forward_training : prop_kind::forward_inference;
        layer_normalization_forward::primitive_desc pd(engine(), prop, data, data, stats, eps,
                                                       flags);
        return layer_normalization_forward(pd);
    });
}

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_layer_norm_forward(const float *x, float *y, int64_t rows,
                                                int64_t cols, const float *weight,
                                                const float *bias, float eps, float *mean,
                                                float *rstd) {
    using namespace norm4j::onednn;
    const int status = norm4j::check_rows_call(x, y, rows, cols, eps, mean, rstd);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const bool training = mean != nullptr;
    try {
        const normalization_flags flags = flags_for(weight != nullptr, bias != nullptr);
        layer_normalization_forward &ln = primitive_for(rows, cols, training, flags, eps);
        const memory::desc data({rows, cols}, memory::data_type::f32, memory::format_tag::ab);
        const memory::desc vec_rows({rows}, memory::data_type::f32, memory::format_tag::a);
        const memory::desc vec_cols({cols}, memory::data_type::f32, memory::format_tag::a);
        // oneDNN's API takes non-const handles; it only reads src, scale and shift.
        std::unordered_map<int, memory> args = {
            {DNNL_ARG_SRC, memory(data, engine(), const_cast<float *>(x))},
            {DNNL_ARG_DST, memory(data, engine(), y)},
        };
        if (weight != nullptr)
            args.emplace(DNNL_ARG_SCALE, memory(vec_cols, engine(), const_cast<float *>(weight)));
        if (bias != nullptr)
            args.emplace(DNNL_ARG_SHIFT, memory(vec_cols, engine(), const_cast<float *>(bias)));
        if (training) {
            args.emplace(DNNL_ARG_MEAN, memory(vec_rows, engine(), mean));
            args.emplace(DNNL_ARG_VARIANCE, memory(vec_rows, engine(), rstd));
        }
        dnnl::stream &stream = thread_stream();
        ln.execute(stream, args);
        stream.wait();
        if (training) {
            for (int64_t r = 0; r < rows; ++r)
                rstd[r] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(rstd[r]) + eps));
        }
        return NORM4J_OK;
    } catch (const dnnl::error &e) {
        return norm4j::fail(NORM4J_ERR_BACKEND, std::string("oneDNN: ") + e.what());
    } catch (const std::exception &e) {
        return norm4j::fail(NORM4J_ERR_BACKEND, e.what());
    }
}
