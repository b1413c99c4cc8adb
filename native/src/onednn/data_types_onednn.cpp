// Whether oneDNN takes data of a storage type on this CPU: it offers bf16 and f16 where the CPU
// has what its kernels need, and reports otherwise only when a primitive is created. The answer
// comes from creating, on small shapes, every normalization primitive norm4j calls (forward and
// backward, both layouts) with all data of that type.
#include "onednn_call.h"

namespace norm4j::onednn {

namespace {

constexpr float kEps = 1e-5f;
constexpr int64_t kN = 2, kC = 8, kS = 4, kGroups = 2;

const auto kFlags = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;

// Each returns NORM4J_OK where oneDNN creates the family's forward and backward descriptors with
// all data stored as type, else kNoImplementation.
int create_layer_norm(int type) {
    const auto data = matrix_desc(kN, kC, type);
    const auto stats = vector_desc(kN);
    const dnnl::primitive_attr attr;
    dnnl::layer_normalization_forward::primitive_desc fwd(engine(), dnnl::prop_kind::forward_training, data, data,
                                                          stats, kEps, kFlags, attr, true);
    if (!fwd) return kNoImplementation;
    dnnl::layer_normalization_backward::primitive_desc bwd(engine(), dnnl::prop_kind::backward, data, data, data,
                                                           stats, kEps, kFlags, fwd, attr, true);
    return bwd ? NORM4J_OK : kNoImplementation;
}

int create_batch_norm(int type, int layout) {
    const auto data = channels_desc(kN, kC, kS, layout, type);
    const dnnl::primitive_attr attr;
    dnnl::batch_normalization_forward::primitive_desc fwd(engine(), dnnl::prop_kind::forward_training, data, data,
                                                          kEps, kFlags, attr, true);
    if (!fwd) return kNoImplementation;
    dnnl::batch_normalization_backward::primitive_desc bwd(engine(), dnnl::prop_kind::backward, data, data, data,
                                                           kEps, kFlags, fwd, attr, true);
    return bwd ? NORM4J_OK : kNoImplementation;
}

int create_group_norm(int type, int layout) {
    const auto data = channels_desc(kN, kC, kS, layout, type);
    const dnnl::primitive_attr attr;
    dnnl::group_normalization_forward::primitive_desc fwd(engine(), dnnl::prop_kind::forward_training, data, data,
                                                          kGroups, kEps, kFlags, attr, true);
    if (!fwd) return kNoImplementation;
    dnnl::group_normalization_backward::primitive_desc bwd(engine(), dnnl::prop_kind::backward, data, data, data,
                                                           kGroups, kEps, kFlags, fwd, attr, true);
    return bwd ? NORM4J_OK : kNoImplementation;
}

}  // namespace

}  // namespace norm4j::onednn

extern "C" int norm4j_onednn_takes_data_type(int type) {
    using namespace norm4j::onednn;
    norm4j::clear_last_error();
    if (type != NORM4J_F32 && type != NORM4J_BF16 && type != NORM4J_F16)
        return norm4j::fail(NORM4J_ERR_ARGUMENT, "unknown storage type");
    const std::string types = std::string(type_name(type)) + " data";
    int status = guarded("layer normalization", types, [&] { return create_layer_norm(type); });
    for (int layout : {NORM4J_LAYOUT_NCHW, NORM4J_LAYOUT_NHWC}) {
        if (status == NORM4J_OK)
            status = guarded("batch normalization", types, [&] { return create_batch_norm(type, layout); });
        if (status == NORM4J_OK)
            status = guarded("group normalization", types, [&] { return create_group_norm(type, layout); });
    }
    return status;
}
