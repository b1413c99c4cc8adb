// norm4j_convert: a run of values from one storage type to another (one side f32), through the
// active kernel table, shared among threads in equal parts for large runs.
#include <cstring>

#include "last_error.h"
#include "storage_runs.h"
#include "threading.h"

extern "C" int norm4j_convert(const void *src, int src_type, void *dst, int dst_type, int64_t n) {
    using namespace norm4j;
    if (n < 0) return fail(NORM4J_ERR_ARGUMENT, "n must be >= 0, it is " + std::to_string(n));
    if (!valid_storage_type(src_type) || !valid_storage_type(dst_type))
        return fail(NORM4J_ERR_ARGUMENT, "unknown storage type (src " + std::to_string(src_type) + ", dst " +
                                             std::to_string(dst_type) + ")");
    if (src_type != dst_type && src_type != NORM4J_F32 && dst_type != NORM4J_F32)
        return fail(NORM4J_ERR_ARGUMENT, "one side of a conversion must be f32");
    if (n == 0) return NORM4J_OK;
    if (src == nullptr || dst == nullptr) return fail(NORM4J_ERR_ARGUMENT, "src and dst must not be null");
    const KernelTable &k = active_kernels();
    const int threads = threads_for(n);
    parallel_row_shares(n, threads, [&](int64_t first, int64_t count) {
        if (src_type == dst_type) {
            const int64_t size = bytes_of_storage(src_type);
            std::memmove(static_cast<char *>(dst) + first * size, static_cast<const char *>(src) + first * size, count * size);
        } else if (dst_type == NORM4J_F32) {
            widen_run(k, src, src_type, first, static_cast<float *>(dst) + first, count);
        } else {
            round_run(k, static_cast<const float *>(src) + first, dst, dst_type, first, count);
        }
    });
    return NORM4J_OK;
}
