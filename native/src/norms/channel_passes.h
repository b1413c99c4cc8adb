// The channel passes batch norm's forward and backward share: column sums in fixed chunks of rows
// whose partials are added in chunk order (the same bits for any thread count), the statistics of
// channels-last columns, and the output passes over channels-last columns and channels-first
// planes.
#ifndef NORM4J_CHANNEL_PASSES_H
#define NORM4J_CHANNEL_PASSES_H

#include <algorithm>
#include <atomic>

#include "../kernels.h"
#include "../scratch.h"
#include "../threading.h"
#include "channel_constants.h"
#include "activation_pass.h"
#include "double_normalize.h"
#include "../row_statistics.h"

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

// Channels-last f32 rows where they lie in memory, as column_statistics_of reads them: read(r0,
// nr, frame) gives rows [r0, r0 + nr) as f32 (a staging source widens them into frame instead);
// pivoted_sums adds their column_pivoted_sums about pivot into s1 and s2 (a staging source reads
// its stored values directly).
struct RowsInPlace {
    const float *x;
    int64_t c;
    const float *read(int64_t r0, int64_t, ScratchFrame &) const { return x + r0 * c; }
    void pivoted_sums(const KernelTable &k, int64_t r0, int64_t nr, const float *pivot, double *s1, double *s2) const {
        k.column_pivoted_sums(x + r0 * c, nr, c, pivot, s1, s2);
    }
};

// Rows per call of the column sum kernels over c channels (tuning.h: kColumnSumCallValues).
inline int64_t column_sum_call_rows(int64_t c) { return std::max<int64_t>(1, kColumnSumCallValues / std::max<int64_t>(c, 1)); }

// each(t0, tn, frame) for the tiles of `tile` rows of [r0, r0 + nr), each with a scratch frame
// of its own (where a tile's rows are widened).
template <typename Tile>
void for_each_row_tile(int64_t r0, int64_t nr, int64_t tile, Tile each) {
    for (int64_t t0 = r0; t0 < r0 + nr; t0 += tile) {
        ScratchFrame mine;
        each(t0, std::min(tile, r0 + nr - t0), mine);
    }
}

// each(r0, nr, frame) for channels-last rows of c values in blocks of about kStagingBlockValues
// values (in L2), shared among the threads, each with a scratch frame of its own: the output
// passes over data widened a block at a time.
template <typename Each>
void for_each_staging_block(int64_t rows, int64_t c, int threads, Each each) {
    const int64_t block = std::max<int64_t>(1, kStagingBlockValues / std::max<int64_t>(c, 1));
    parallel_for((rows + block - 1) / block, threads, [&](int64_t b) {
        const int64_t r0 = b * block;
        ScratchFrame mine;
        each(r0, std::min(block, rows - r0), mine);
    });
}

// sum(rows, count) for the tiles of column_sum_call_rows rows of [r0, r0 + nr), read from source.
template <typename Rows, typename Sum>
void for_each_column_tile(const Rows &source, int64_t r0, int64_t nr, int64_t c, Sum sum) {
    for_each_row_tile(r0, nr, column_sum_call_rows(c), [&](int64_t t0, int64_t tn, ScratchFrame &mine) {
        sum(source.read(t0, tn, mine), tn);
    });
}

// Per-channel mean and biased variance of channels-last [rows, c] data, in double, handed to
// finish(ch, MeanVariance): one pass about the first row (first_row, c values) where
// pivoted_mean_variance accepts every channel, else a pass for the sums and one for the centred
// squares. (Channels finished before a later one is rejected are finished again from the
// two-pass statistics.) The rows are read a tile at a time from `source` (RowsInPlace, or rows
// widened from a stored type: a tile's sums depend only on its values, so the bits are the same).
template <typename Rows, typename Finish>
void column_statistics_of(const KernelTable &k, const Rows &source, const float *first_row, int64_t rows, int64_t c,
                          int threads, Finish finish) {
    const GroupCount count(static_cast<double>(rows));
    // A term's chain: its chunk's sum (at most one addition per row of the chunk, and one per
    // tile of rows into the chunk's partial), then the chunks' partials added in order. (The
    // tiles of for_each_column_tile keep within it: t rows of a tile and one addition per tile.)
    const RowChunks chunks = column_chunks(rows, c);
    const double chain = static_cast<double>(chunks.per_chunk + 1 + chunks.count());
    std::atomic<bool> accepted{true};
    chunked_column_sums<2>(
        chunks, c, threads,
        [&](int64_t r0, int64_t nr, double *part) {
            for_each_row_tile(r0, nr, column_sum_call_rows(c), [&](int64_t t0, int64_t tn, ScratchFrame &) {
                source.pivoted_sums(k, t0, tn, first_row, part, part + c);
            });
        },
        [&](int64_t ch, const double *t) {
            MeanVariance mv;
            if (pivoted_mean_variance(first_row[ch], t[0], t[1], count, chain, &mv)) finish(ch, mv);
            else accepted.store(false, std::memory_order_relaxed);
        });
    if (accepted.load()) return;
    ScratchFrame frame;
    double *const mean = frame.array<double>(c);
    chunked_column_sums<1>(
        chunks, c, threads,
        [&](int64_t r0, int64_t nr, double *part) {
            for_each_column_tile(source, r0, nr, c, [&](const float *x, int64_t tn) { k.column_sums(x, tn, c, part); });
        },
        [&](int64_t ch, const double *t) { mean[ch] = t[0] / count.n; });
    chunked_column_sums<1>(
        chunks, c, threads,
        [&](int64_t r0, int64_t nr, double *part) {
            for_each_column_tile(source, r0, nr, c, [&](const float *x, int64_t tn) {
                k.column_centred_square_sums(x, tn, c, mean, part);
            });
        },
        [&](int64_t ch, const double *t) { finish(ch, MeanVariance{mean[ch], t[0] / count.n}); });
}

// column_statistics_of f32 rows in memory.
template <typename Finish>
void column_statistics(const KernelTable &k, const float *x, int64_t rows, int64_t c, int threads, Finish finish) {
    column_statistics_of(k, RowsInPlace{x, c}, x, rows, c, threads, finish);
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

// The constants of a channels-last output pass over c channels, which fill(set) hands to
// set(ch, CentringConstants) from any thread: folded for the f32 kernels, and kept whole for the
// double path that every row takes where a channel's constants f32 arithmetic cannot apply
// (CentringConstants::in_double).
struct ColumnOutput {
    ColumnAffine affine;
    ChannelConstants exact;
    const float *weight, *bias;
    bool in_double = false;

    template <typename Fill>
    ColumnOutput(ScratchFrame &frame, int64_t c, const float *w, const float *b, Fill fill)
        : affine(frame, c), exact(frame, c), weight(w), bias(b) {
        std::atomic<bool> any{false};
        fill([&](int64_t ch, const CentringConstants &g) {
            affine.set(ch, g, weight_of(weight, ch), bias_of(bias, ch));
            exact.set(ch, g);
            if (g.in_double) any.store(true, std::memory_order_relaxed);
        });
        in_double = any.load();
        affine.wrap();
    }

    // y = activation(normalize(x)) for rows of c values on the calling thread; value by value, so
    // rows give the same bits whichever block they are passed in.
    void apply(const KernelTable &k, const float *x, float *y, int64_t rows, int64_t c, int activation) const {
        if (!in_double) {
            normalize_columns_activated(k, x, y, rows, c, affine, false, activation);
        } else {
            normalize_columns_in_double(x, y, rows, c, exact.all, weight, bias);
            activate_block(k, y, rows * c, activation);
        }
    }
};

// y = activation(normalize(x)) for channels-last [rows, c] data whose constants fill(set) hands to
// set(ch, CentringConstants) (ColumnOutput).
template <typename Fill>
void normalize_columns_with(const KernelTable &k, const float *x, float *y, int64_t rows, int64_t c, int threads,
                            const float *weight, const float *bias, int activation, Fill fill) {
    ScratchFrame frame;
    ColumnOutput out(frame, c, weight, bias, fill);
    if (!out.in_double) apply_columns(k, x, y, rows, c, threads, out.affine, activation);
    else out.apply(k, x, y, rows, c, activation);
}

// y = activation(normalize(x)) for x logically [n, c, s] in layout, with given per-channel
// statistics (running statistics as floats, or statistics merged across processes as doubles).
template <typename Stat>
void normalize_with_statistics(const KernelTable &k, const float *x, float *y, int64_t n, int64_t c, int64_t s,
                               int layout, const float *weight, const float *bias, float eps, const Stat *mean,
                               const Stat *var, int activation) {
    const int threads = threads_for(n * c * s);
    if (layout == NORM4J_LAYOUT_NHWC || s == 1) {  // [N, C] data is channels-last whatever the declared layout
        normalize_columns_with(k, x, y, n * s, c, threads, weight, bias, activation, [&](auto set) {
            parallel_for_blocks(c, threads, [&](int64_t ch) { set(ch, centring_constants(mean[ch], var[ch], eps)); });
        });
        return;
    }
    ScratchFrame frame;
    ChannelConstants cc(frame, c);
    for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, centring_constants(mean[ch], var[ch], eps));
    apply_planes(k, x, y, n, c, s, threads, cc, weight, bias, activation);
}

}  // namespace norm4j

#endif
