// The activation of a fused batch or group norm (norm4j.h: NORM4J_ACTIVATION_*), applied to each
// block of y right after the block is written, while it is in cache: the output is written once
// and read back from cache, never from memory.
#ifndef NORM4J_ACTIVATION_PASS_H
#define NORM4J_ACTIVATION_PASS_H

#include <algorithm>

#include "../kernels.h"

namespace norm4j {

inline bool valid_activation(int activation) {
    return activation == NORM4J_ACTIVATION_NONE || activation == NORM4J_ACTIVATION_RELU ||
           activation == NORM4J_ACTIVATION_SILU;
}

// Applies the activation to y[0, n) in place; nothing without one.
inline void activate_block(const KernelTable &k, float *y, int64_t n, int activation) {
    if (activation != NORM4J_ACTIVATION_NONE) k.activate(y, n, activation);
}

// Writes a channels-last block of rows of c values through write(first row, rows) a tile of about
// kStagingBlockValues values at a time, each tile activated before the next is written; with no
// activation, all rows in one call.
template <typename Write>
void write_activated_rows(const KernelTable &k, float *y, int64_t rows, int64_t c, int activation, Write write) {
    if (activation == NORM4J_ACTIVATION_NONE) {
        write(0, rows);
        return;
    }
    const int64_t tile = std::max<int64_t>(1, kStagingBlockValues / std::max<int64_t>(c, 1));
    for (int64_t r0 = 0; r0 < rows; r0 += tile) {
        const int64_t nr = std::min(tile, rows - r0);
        write(r0, nr);
        k.activate(y + r0 * c, nr * c, activation);
    }
}

}  // namespace norm4j

#endif
