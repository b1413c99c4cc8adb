// The channel passes batch norm's forward and backward share: column sums in fixed chunks of rows
// whose partials are added in chunk order (the same bits for any thread count), and the output
// passes over channels-last columns and channels-first planes.
#ifndef NORM4J_CHANNEL_PASSES_H
#define NORM4J_CHANNEL_PASSES_H

#include <algorithm>

#include "../kernels.h"
#include "../scratch.h"
#include "../threading.h"
#include "channel_constants.h"
#include "activation_pass.h"
#include "double_normalize.h"

namespace norm4j {

// The chunks of a column reduction: at most 16, and fewer for wide rows, whose partials (two rows
// of doubles per chunk) and the short row walks of many chunks cost more than they share out.
inline RowChunks column_chunks(int64_t rows, int64_t cols) {
    return RowChunks(rows, cols, std::clamp<int64_t>(8192 / std::max<int64_t>(cols, 1), 4, 16));
}

// Column sums over all the chunks' rows (column_chunks), whose partials are added in chunk
// order: the same bits for any thread count. f(first row, rows, out) adds a chunk's sums
// into out, which holds kOutputs zeroed arrays of cols values. done(j, totals) then receives
// column j's kOutputs totals; columns are finished in parallel blocks, so no per-channel work is
// left to one thread.
template <int kOutputs, typename ChunkSums, typename Done>
void chunked_column_sums(const RowChunks &chunks, int64_t cols, int threads, ChunkSums f, Done done) {
    const int64_t width = kOutputs * cols;
    ScratchFrame frame;
    double *const partial = frame.array<double>(chunks.count() * width);
    parallel_for(chunks.count(), threads, [&](int64_t c) {
        double *const mine = partial + c * width;
        std::fill(mine, mine + width, 0.0);  // by the thread that fills it, into its cache
        f(chunks.begin(c), chunks.size(c), mine);
    });
    // A block of columns at a time, each chunk's partials added as whole runs: the same additions
    // in the same order per column as one column at a time, but read in memory order rather than
    // at a stride of a chunk's partials (16 KiB apart for 1024 channels), half of them from the
    // other core's cache.
    parallel_for_range_blocks(cols, threads, [&](int64_t j0, int64_t nj) {
        double totals[kOutputs][kCheapItemsPerBlock] = {};
        for (int64_t c = 0; c < chunks.count(); ++c)
            for (int o = 0; o < kOutputs; ++o) {
                const double *from = partial + c * width + o * cols + j0;
                for (int64_t j = 0; j < nj; ++j) totals[o][j] += from[j];
            }
        for (int64_t j = 0; j < nj; ++j) {
            double column[kOutputs];
            for (int o = 0; o < kOutputs; ++o) column[o] = totals[o][j];
            done(j0 + j, static_cast<const double *>(column));
        }
    });
}

// y = activation(normalize(x)) for channels-last data, the constants folded (channel_constants.h).
inline void apply_columns(const KernelTable &k, const float *x, float *y, int64_t rows, int64_t c,
                   int threads, ColumnAffine &affine, int activation) {
    affine.wrap();
    const bool from_memory = forward_from_memory(rows * c);
    parallel_row_shares(rows, threads, [&](int64_t r0, int64_t nr) {
        normalize_columns_activated(k, x + r0 * c, y + r0 * c, nr, c, affine, from_memory, activation);
    });
}

// y = activation(normalize(x)) for channels-first data, plane by plane, y around the caches from
// forward_from_memory's size.
inline void apply_planes(const KernelTable &k, const float *x, float *y, int64_t n, int64_t c, int64_t s,
                  int threads, const ChannelConstants &cc, const float *weight, const float *bias, int activation) {
    const bool around_caches = forward_from_memory(n * c * s);
    parallel_for(n * c, threads, [&](int64_t plane) {
        const int64_t ch = plane % c;
        normalize_plane(k, x + plane * s, y + plane * s, s, cc.get(ch), weight_of(weight, ch), bias_of(bias, ch),
                        around_caches, activation);
    });
}

}  // namespace norm4j

#endif
