// What every oneDNN entry point does around its primitive: gather the memory arguments
// (skipping absent optional ones), execute on this thread's stream, turn exceptions into
// status codes, and convert oneDNN's saved variance into norm4j's rstd.
#ifndef NORM4J_ONEDNN_CALL_H
#define NORM4J_ONEDNN_CALL_H

#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "../last_error.h"
#include "norm4j/norm4j.h"
#include "onednn_context.h"

namespace norm4j::onednn {

class Arguments {
public:
    // oneDNN's memory takes non-const handles; inputs are only read.
    void add(int arg, const dnnl::memory::desc &md, const void *data) {
        if (data != nullptr) args_.emplace(arg, dnnl::memory(md, engine(), const_cast<void *>(data)));
    }

    // A primitive's workspace (what its backward would read), in memory kept with the arguments.
    void add_workspace(const dnnl::memory::desc &md) {
        if (md.get_size() == 0) return;
        workspace_.resize(md.get_size());
        args_.emplace(DNNL_ARG_WORKSPACE, dnnl::memory(md, engine(), workspace_.data()));
    }

    void execute(const dnnl::primitive &p) {
        dnnl::stream &stream = thread_stream();
        p.execute(stream, args_);
        stream.wait();
    }

private:
    std::unordered_map<int, dnnl::memory> args_;
    std::vector<unsigned char> workspace_;
};

inline const char *type_name(int type) {
    return type == NORM4J_BF16 ? "bf16" : type == NORM4J_F16 ? "f16" : "f32";
}

// The data types of a call, for messages: "x bf16, y f32".
inline std::string types_note(const char *a, int a_type, const char *b, int b_type) {
    return std::string(a) + " " + type_name(a_type) + ", " + b + " " + type_name(b_type);
}

inline std::string types_note(const char *a, int a_type, const char *b, int b_type, const char *c, int c_type) {
    return types_note(a, a_type, b, b_type) + ", " + c + " " + type_name(c_type);
}

// Primitive descriptors are created with allow_empty: where oneDNN has no implementation of a call
// (on this CPU, for these data types) its descriptor is empty, and so is the primitive made from
// it (primitive_of). A body that meets one returns kNoImplementation, which guarded turns into
// NORM4J_ERR_UNSUPPORTED: oneDNN's routine answer unwinds no C++ exception.
constexpr int kNoImplementation = -1;

template <typename Primitive, typename Descriptor>
Primitive primitive_of(const Descriptor &pd) {
    return pd ? Primitive(pd) : Primitive();
}

// Runs body (returning a status, or kNoImplementation), mapping oneDNN and other C++ exceptions to
// statuses. No implementation is NORM4J_ERR_UNSUPPORTED, with the call's data types (types) in
// the message.
template <typename Body>
int guarded(const char *op, const std::string &types, Body body) {
    try {
        const int status = body();
        if (status != kNoImplementation) return status;
        return fail(NORM4J_ERR_UNSUPPORTED,
                    std::string("oneDNN ") + norm4j_onednn_version() + " has no " + op + " for " + types + " on this CPU");
    } catch (const dnnl::error &e) {
        return fail(NORM4J_ERR_BACKEND, std::string("oneDNN ") + op + ": " + e.what());
    } catch (const std::exception &e) {
        return fail(NORM4J_ERR_BACKEND, std::string(op) + ": " + e.what());
    }
}

// oneDNN saved the variance in rstd[0..count); optionally keep it in var, then make it rstd.
inline void variance_to_rstd(float *rstd, float *var, int64_t count, float eps) {
    for (int64_t i = 0; i < count; ++i) {
        if (var != nullptr) var[i] = rstd[i];
        rstd[i] = static_cast<float>(1.0 / std::sqrt(static_cast<double>(rstd[i]) + eps));
    }
}

// What a oneDNN backward call needs beyond the caller's buffers: the variance (oneDNN's
// statistic) recovered from the saved rstd (1 / rstd^2, used with eps = 0), a weight of ones
// where the caller has none (so the scale gradient exists), and somewhere to put gradients
// the caller did not ask for. Only what a call lacks is allocated.
class BackwardScratch {
public:
    std::vector<float> variance;

    BackwardScratch(const float *rstd, int64_t stats, int64_t channels)
        : variance(static_cast<size_t>(stats)), channels_(static_cast<size_t>(channels)) {
        for (int64_t i = 0; i < stats; ++i) {
            const double r = rstd[i];
            variance[i] = static_cast<float>(1.0 / (r * r));
        }
    }

    const float *scale(const float *weight) { return weight != nullptr ? weight : filled(ones_, 1.0f); }
    float *diff_scale(float *dweight) { return dweight != nullptr ? dweight : filled(unused_dweight_, 0.0f); }
    float *diff_shift(float *dbias) { return dbias != nullptr ? dbias : filled(unused_dbias_, 0.0f); }

private:
    float *filled(std::vector<float> &v, float value) {
        v.assign(channels_, value);
        return v.data();
    }

    size_t channels_;
    std::vector<float> ones_, unused_dweight_, unused_dbias_;
};

inline dnnl::normalization_flags affine_flags(const float *weight, const float *bias) {
    auto f = dnnl::normalization_flags::none;
    if (weight != nullptr) f = f | dnnl::normalization_flags::use_scale;
    if (bias != nullptr) f = f | dnnl::normalization_flags::use_shift;
    return f;
}

// oneDNN's name for a norm4j storage type (NORM4J_F32, NORM4J_BF16, NORM4J_F16).
inline dnnl::memory::data_type data_type_of(int type) {
    return type == NORM4J_BF16 ? dnnl::memory::data_type::bf16
           : type == NORM4J_F16 ? dnnl::memory::data_type::f16
                                : dnnl::memory::data_type::f32;
}

// [n, c, s] in the given layout, stored as type.
inline dnnl::memory::desc channels_desc(int64_t n, int64_t c, int64_t s, int layout, int type) {
    return dnnl::memory::desc({n, c, s}, data_type_of(type),
                              layout == NORM4J_LAYOUT_NHWC ? dnnl::memory::format_tag::acb
                                                           : dnnl::memory::format_tag::abc);
}

inline dnnl::memory::desc vector_desc(int64_t n) {
    return dnnl::memory::desc({n}, dnnl::memory::data_type::f32, dnnl::memory::format_tag::a);
}

// [rows, cols] stored as type.
inline dnnl::memory::desc matrix_desc(int64_t rows, int64_t cols, int type) {
    return dnnl::memory::desc({rows, cols}, data_type_of(type),
                              dnnl::memory::format_tag::ab);
}

// Up to three data types (NORM4J_F32, ...) in one key field.
inline int pack_types(int a, int b, int c = NORM4J_F32) { return a | (b << 4) | (c << 8); }

inline PrimitiveKey make_key(int op, int types, bool training, int layout, int64_t d0, int64_t d1,
                             int64_t d2, int64_t d3, dnnl::normalization_flags flags, float eps) {
    PrimitiveKey key{};
    key.op = op;
    key.prop = (training ? 1 : 0) | (layout << 1) | (types << 4);
    key.dims[0] = d0;
    key.dims[1] = d1;
    key.dims[2] = d2;
    key.dims[3] = d3;
    key.flags = static_cast<uint32_t>(flags);
    key.eps_bits = float_bits(eps);
    return key;
}

inline dnnl::prop_kind prop_for(bool training) {
    return training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
}

}  // namespace norm4j::onednn

#endif
