// norm4j_convert: a run of values from one storage type to another (one side f32), through the
// active kernel table, shared among threads in equal parts for large runs.
#include <cstring>

#include "kernels.h"
#include "last_error.h"
#include "norm4j/norm4j.h"
#include "threading.h"

namespace {

bool valid_type(int type) { return type == NORM4J_F32 || type == NORM4J_BF16 || type == NORM4J_F16; }

size_t bytes_of(int type) { return type == NORM4J_F32 ? sizeof(float) : sizeof(uint16_t); }

// Converts values [first, first + count) of the run.
void convert_part(const norm4j::KernelTable &k, const void *src, int src_type, void *dst, int dst_type, int64_t first,
                  int64_t count) {
    using namespace norm4j;
    const char *from = static_cast<const char *>(src) + first * static_cast<int64_t>(bytes_of(src_type));
    char *to = static_cast<char *>(dst) + first * static_cast<int64_t>(bytes_of(dst_type));
    if (src_type == dst_type) std::memmove(to, from, count * bytes_of(src_type));
    else if (src_type == NORM4J_BF16) k.bf16_to_floats(reinterpret_cast<const bf16 *>(from), reinterpret_cast<float *>(to), count);
    else if (src_type == NORM4J_F16) k.f16_to_floats(reinterpret_cast<const f16 *>(from), reinterpret_cast<float *>(to), count);
    else if (dst_type == NORM4J_BF16) k.floats_to_bf16(reinterpret_cast<const float *>(from), reinterpret_cast<bf16 *>(to), count);
    else k.floats_to_f16(reinterpret_cast<const float *>(from), reinterpret_cast<f16 *>(to), count);
}

}  // namespace

extern "C" int norm4j_convert(const void *src, int src_type, void *dst, int dst_type, int64_t n) {
    using namespace norm4j;
    if (n < 0) return fail(NORM4J_ERR_ARGUMENT, "n must be >= 0, it is " + std::to_string(n));
    if (!valid_type(src_type) || !valid_type(dst_type))
        return fail(NORM4J_ERR_ARGUMENT, "unknown storage type (src " + std::to_string(src_type) + ", dst " +
                                             std::to_string(dst_type) + ")");
    if (src_type != dst_type && src_type != NORM4J_F32 && dst_type != NORM4J_F32)
        return fail(NORM4J_ERR_ARGUMENT, "one side of a conversion must be f32");
    if (n == 0) return NORM4J_OK;
    if (src == nullptr || dst == nullptr) return fail(NORM4J_ERR_ARGUMENT, "src and dst must not be null");
    const KernelTable &k = active_kernels();
    const int threads = threads_for(n);
    parallel_row_shares(n, threads, [&](int64_t first, int64_t count) {
        convert_part(k, src, src_type, dst, dst_type, first, count);
    });
    return NORM4J_OK;
}
