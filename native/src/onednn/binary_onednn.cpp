// ONEDNN's residual add: oneDNN's binary primitive (binary_add) over n f32 values, the first
// half of the unfused add-then-normalize sequence that oneDNN offers.
#include "onednn_call.h"

namespace norm4j::onednn {

namespace {

constexpr int kAddOp = 1;

const dnnl::binary &add_primitive(int64_t n) {
    thread_local PrimitiveCache<dnnl::binary> cache;
    return cache.get(make_key(kAddOp, false, 0, n, 0, 0, 0, dnnl::normalization_flags::none, 0.0f), [&] {
        const auto data = vector_desc(n);
        dnnl::binary::primitive_desc pd(engine(), dnnl::algorithm::binary_add, data, data, data);
        return dnnl::binary(pd);
    });
}

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_add(const float *x, const float *residual, float *h, int64_t n) {
    using namespace norm4j::onednn;
    norm4j::clear_last_error();
    if (n < 0) return norm4j::fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (n == 0) return NORM4J_OK;
    if (x == nullptr || residual == nullptr || h == nullptr)
        return norm4j::fail(NORM4J_ERR_ARGUMENT, "null x, residual or h");
    return guarded("add", [&] {
        Arguments args;
        args.add(DNNL_ARG_SRC_0, vector_desc(n), x);
        args.add(DNNL_ARG_SRC_1, vector_desc(n), residual);
        args.add(DNNL_ARG_DST, vector_desc(n), h);
        args.execute(add_primitive(n));
        return NORM4J_OK;
    });
}
