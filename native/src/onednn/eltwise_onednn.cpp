// ONEDNN's activations on their own (the unfused forward's second step): oneDNN's eltwise
// primitive, relu or swish (x * sigmoid(x), SiLU), on the n values as a [1, n] matrix.
#include "../api_checks.h"
#include "onednn_call.h"

namespace norm4j::onednn {

namespace {

constexpr int kEltwiseOp = 9;

dnnl::algorithm algorithm_of(int activation) {
    return activation == NORM4J_ACTIVATION_RELU ? dnnl::algorithm::eltwise_relu : dnnl::algorithm::eltwise_swish;
}

// relu's alpha is its negative slope (0); swish's the factor inside the sigmoid (1).
float alpha_of(int activation) { return activation == NORM4J_ACTIVATION_RELU ? 0.0f : 1.0f; }

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_activate(const float *x, float *y, int64_t n, int activation) {
    using namespace norm4j::onednn;
    bool empty = false;
    const int status = norm4j::check_activation_call(activation, n, &empty);
    if (status != NORM4J_OK || empty) return status;
    if (x == nullptr || y == nullptr) return norm4j::fail(NORM4J_ERR_ARGUMENT, "null x or y");
    return guarded("eltwise", types_note("x", NORM4J_F32, "y", NORM4J_F32), [&] {
        thread_local PrimitiveCache<dnnl::eltwise_forward> cache;
        const auto &p = cache.get(make_key(kEltwiseOp, pack_types(NORM4J_F32, NORM4J_F32), false, activation, n, 0, 0, 0, {}, 0.0f), [&] {
            const auto data = matrix_desc(1, n, NORM4J_F32);
            return dnnl::eltwise_forward(dnnl::eltwise_forward::primitive_desc(
                engine(), dnnl::prop_kind::forward_inference, algorithm_of(activation), data, data,
                alpha_of(activation), 0.0f));
        });
        Arguments args;
        args.add(DNNL_ARG_SRC, matrix_desc(1, n, NORM4J_F32), x);
        args.add(DNNL_ARG_DST, matrix_desc(1, n, NORM4J_F32), y);
        args.execute(p);
        return NORM4J_OK;
    });
}
