// The engine, stream and primitive cache every oneDNN call goes through.
//
// oneDNN primitives are expensive to create (microseconds to milliseconds) so they are
// cached; with the default scratchpad a primitive must not run on two threads at once,
// so each thread keeps its own stream and its own cache.
#ifndef NORM4J_ONEDNN_CONTEXT_H
#define NORM4J_ONEDNN_CONTEXT_H

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <unordered_map>

namespace norm4j::onednn {

dnnl::engine &engine();
dnnl::stream &thread_stream();

// What identifies a primitive: the op, its sizes and its flags, as plain integers.
struct PrimitiveKey {
    int op;
    int prop;  // training, layout and data types (see make_key)
    int64_t dims[4];
    uint32_t flags;
    uint32_t eps_bits;
    bool operator==(const PrimitiveKey &o) const { return std::memcmp(this, &o, sizeof o) == 0; }
};

struct PrimitiveKeyHash {
    size_t operator()(const PrimitiveKey &k) const;
};

// Per-thread cache. It is bounded: when full it is cleared, which only costs re-creation.
template <typename Primitive>
class PrimitiveCache {
public:
    template <typename Make>
    Primitive &get(const PrimitiveKey &key, Make make) {
        auto it = entries_.find(key);
        if (it != entries_.end()) return it->second;
        if (entries_.size() >= kCapacity) entries_.clear();
        return entries_.emplace(key, make()).first->second;
    }

private:
    static constexpr size_t kCapacity = 128;
    std::unordered_map<PrimitiveKey, Primitive, PrimitiveKeyHash> entries_;
};

uint32_t float_bits(float f);

}  // namespace norm4j::onednn

#endif
