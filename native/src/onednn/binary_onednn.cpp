// ONEDNN's residual add on its own (the unfused sequence's first step): oneDNN's binary primitive,
// binary_add, on the n values of x and residual as [1, n] matrices, each stored as its type, into
// h as its type.
#include "../api_checks.h"
#include "onednn_call.h"

namespace norm4j::onednn {

namespace {

constexpr int kBinaryAddOp = 10;

dnnl::binary::primitive_desc add_descriptor(int x_type, int residual_type, int h_type, int64_t n) {
    return dnnl::binary::primitive_desc(engine(), dnnl::algorithm::binary_add, matrix_desc(1, n, x_type),
                                        matrix_desc(1, n, residual_type), matrix_desc(1, n, h_type),
                                        dnnl::primitive_attr(), true);
}

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_add(const void *x, int x_type, const void *residual, int residual_type, void *h,
                                 int h_type, int64_t n) {
    using namespace norm4j::onednn;
    bool empty = false;
    const int status = norm4j::check_add_call(x, x_type, residual, residual_type, h, h_type, n, &empty);
    if (status != NORM4J_OK || empty) return status;
    return guarded("binary add", types_note("x", x_type, "residual", residual_type, "h", h_type), [&] {
        thread_local PrimitiveCache<dnnl::binary> cache;
        const auto &p = cache.get(make_key(kBinaryAddOp, pack_types(x_type, residual_type, h_type), false, 0, n, 0, 0, 0,
                                           {}, 0.0f),
                                  [&] {
                                      return primitive_of<dnnl::binary>(
                                          add_descriptor(x_type, residual_type, h_type, n));
                                  });
        if (!p) return kNoImplementation;
        Arguments args;
        args.add(DNNL_ARG_SRC_0, matrix_desc(1, n, x_type), x);
        args.add(DNNL_ARG_SRC_1, matrix_desc(1, n, residual_type), residual);
        args.add(DNNL_ARG_DST, matrix_desc(1, n, h_type), h);
        args.execute(p);
        return NORM4J_OK;
    });
}

extern "C" int norm4j_onednn_takes_add(int type) {
    using namespace norm4j::onednn;
    norm4j::clear_last_error();
    const int status = norm4j::check_storage_types(type, type);
    if (status != NORM4J_OK) return status;
    return guarded("binary add", types_note("x", type, "residual", type, "h", type), [&] {
        // On linux-arm64 oneDNN 3.13 describes the primitive but cannot build it, so it is built.
        constexpr int64_t kProbeValues = int64_t{1} << 16;
        const auto pd = add_descriptor(type, type, type, kProbeValues);
        if (!pd) return kNoImplementation;
        try {
            const dnnl::binary built(pd);
        } catch (const dnnl::error &) {
            return kNoImplementation;
        }
        return NORM4J_OK;
    });
}
