// Runs of values between their storage type (NORM4J_F32, NORM4J_BF16, NORM4J_F16) and f32, through
// the kernel table's conversions: what norm4j_convert and the stored-type calls are made of.
#ifndef NORM4J_STORAGE_RUNS_H
#define NORM4J_STORAGE_RUNS_H

#include <algorithm>
#include <cstring>

#include "kernels.h"
#include "norm4j/norm4j.h"
#include "scratch.h"
#include "tuning.h"

namespace norm4j {

inline bool valid_storage_type(int type) { return type == NORM4J_F32 || type == NORM4J_BF16 || type == NORM4J_F16; }

inline int64_t bytes_of_storage(int type) { return type == NORM4J_F32 ? 4 : 2; }

// dst[0, n) = the values [first, first + n) of src, stored as `type`, widened to f32.
inline void widen_run(const KernelTable &k, const void *src, int type, int64_t first, float *dst, int64_t n) {
    const char *from = static_cast<const char *>(src) + first * bytes_of_storage(type);
    if (type == NORM4J_BF16) k.bf16_to_floats(reinterpret_cast<const bf16 *>(from), dst, n);
    else if (type == NORM4J_F16) k.f16_to_floats(reinterpret_cast<const f16 *>(from), dst, n);
    else if (reinterpret_cast<const float *>(from) != dst) std::memcpy(dst, from, n * sizeof(float));
}

// The values [first, first + n) of dst, stored as `type`, = src[0, n) rounded to it.
inline void round_run(const KernelTable &k, const float *src, void *dst, int type, int64_t first, int64_t n) {
    char *to = static_cast<char *>(dst) + first * bytes_of_storage(type);
    if (type == NORM4J_BF16) k.floats_to_bf16(src, reinterpret_cast<bf16 *>(to), n);
    else if (type == NORM4J_F16) k.floats_to_f16(src, reinterpret_cast<f16 *>(to), n);
    else if (reinterpret_cast<float *>(to) != src) std::memcpy(to, src, n * sizeof(float));
}

// f(block, r, n) for rows [first, first + count) of a [rows, cols] matrix x stored as `type`, a
// block of rows at a time (kStagingBlockValues values, at least a row): rows [r, r + n) widened
// into `block`, the calling thread's scratch, which stays in L2.
template <typename F>
void for_each_widened_block(const KernelTable &k, const void *x, int type, int64_t first, int64_t count, int64_t cols,
                            F f) {
    ScratchFrame frame;
    const int64_t rows = std::max<int64_t>(1, kStagingBlockValues / cols);
    float *const block = frame.array<float>(std::min(rows, count) * cols);
    for (int64_t r = first; r < first + count; r += rows) {
        const int64_t n = std::min(rows, first + count - r);
        widen_run(k, x, type, r * cols, block, n * cols);
        f(block, r, n);
    }
}

}  // namespace norm4j

#endif
