#include "onednn_context.h"


#include "norm4j/norm4j.h"

namespace norm4j::onednn {

dnnl::engine &engine() {
    static dnnl::engine cpu(dnnl::engine::kind::cpu, 0);
    return cpu;
}

dnnl::stream &thread_stream() {
    thread_local dnnl::stream stream(engine());
    return stream;
}

size_t PrimitiveKeyHash::operator()(const PrimitiveKey &k) const {
    // FNV-1a over the key's bytes; the key is a plain struct with no padding holes read.
    const unsigned char *p = reinterpret_cast<const unsigned char *>(&k);
    size_t h = 1469598103934665603ull;
    for (size_t i = 0; i < sizeof k; ++i) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

uint32_t float_bits(float f) {
    uint32_t bits;
    std::memcpy(&bits, &f, sizeof bits);
    return bits;
}

}  // namespace norm4j::onednn

extern "C" const char *norm4j_onednn_version(void) {
    static const std::string text = [] {  // thread-safe one-time initialisation
        const dnnl_version_t *v = dnnl_version();
        return std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
               std::to_string(v->patch);
    }();
    return text.c_str();
}
