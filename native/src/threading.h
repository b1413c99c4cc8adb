// How NATIVE splits a large call across threads without changing its result.
//
// Work is cut into chunks whose boundaries depend only on the problem size (never on the thread
// count), each chunk's partial results are kept apart, and partials are combined in chunk order
// on one thread. Rows, channels and groups that are independent are simply shared out. So the
// bits of every output are the same for 1, 2 or 64 threads, and from run to run.
#ifndef NORM4J_THREADING_H
#define NORM4J_THREADING_H

#include <algorithm>
#include <cstdint>

#include "tuning.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace norm4j {

// Threads for a call touching `elements` values: 1 below the size where threads pay off.
int threads_for(int64_t elements);

// Fixed chunks of the rows of a [rows, cols] matrix, for work whose partial sums over rows must
// be combined deterministically: at most about 32K values per chunk (a [64, 1024] batch still
// splits in two, and a tall one does not make thousands of partials), decided by the shape alone.
// max_chunks > 0 makes the chunks longer where needed to keep at most that many, for callers
// whose per-chunk partials are large (a row of doubles each). The rows are cut into that many
// chunks of equal length, in an even number when there are several, so that two threads take
// equal shares: 13 chunks leave one thread with 7 and the other waiting, and chunks of the
// longest length with a short one left over do the same (128 rows in chunks of 42, 42, 42 and 2:
// one thread has 84 rows, the other 44).
struct RowChunks {
    int64_t rows, per_chunk;

    RowChunks(int64_t rows_, int64_t cols, int64_t max_chunks = 0) : rows(rows_) {
        const int64_t longest = std::clamp<int64_t>((int64_t{1} << 15) / (cols > 0 ? cols : 1), 16, 1024);
        int64_t n = (rows + longest - 1) / longest;
        if (max_chunks > 0) n = std::min(n, max_chunks);
        if (n > 1 && n % 2 == 1) ++n;
        per_chunk = std::max<int64_t>(1, (rows + n - 1) / std::max<int64_t>(n, 1));
    }

    int64_t count() const { return (rows + per_chunk - 1) / per_chunk; }
    int64_t begin(int64_t chunk) const { return chunk * per_chunk; }
    int64_t size(int64_t chunk) const { return std::min(rows, begin(chunk) + per_chunk) - begin(chunk); }
};

// Orders the calling thread's non-temporal stores (the kernels' outputs written around the
// caches, see backward_from_memory in kernels.h) before its later stores and before the call
// returns. Nearly free when none are pending. Only the x86 kernels write around the caches.
inline void fence_non_temporal_stores() {
#if defined(__x86_64__) || defined(__i386__)
    _mm_sfence();
#endif
}

// body(i) for i in [0, n), shared statically among `threads` threads. With one thread it is a
// plain loop: entering the OpenMP runtime at all costs more than a small call. Each thread
// fences its non-temporal stores once, after its last item: fenced row by row (or plane by
// plane) the kernels would wait for every short run to reach memory.
template <typename Body>
void parallel_for(int64_t n, int threads, Body body) {
    if (threads <= 1) {
        for (int64_t i = 0; i < n; ++i) body(i);
        fence_non_temporal_stores();
        return;
    }
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static) nowait
        for (int64_t i = 0; i < n; ++i) body(i);
        fence_non_temporal_stores();
    }
}

// body(first, count) for each thread's equal share of `rows` independent rows (element-wise
// work, whose results do not depend on how the rows are shared).
template <typename Body>
void parallel_row_shares(int64_t rows, int threads, Body body) {
    parallel_for(threads, threads, [&](int64_t t) {
        const int64_t first = rows * t / threads, end = rows * (t + 1) / threads;
        if (first < end) body(first, end - first);
    });
}

// body(first, count) for each block of kCheapItemsPerBlock items of [0, n) (the last one
// shorter), where each item is cheap (a channel's constants): blocks shared out as by
// parallel_for, so small counts stay on the calling thread.
template <typename Body>
void parallel_for_range_blocks(int64_t n, int threads, Body body) {
    const int64_t blocks = (n + kCheapItemsPerBlock - 1) / kCheapItemsPerBlock;
    parallel_for(blocks, blocks > 1 ? threads : 1, [&](int64_t b) {
        const int64_t first = b * kCheapItemsPerBlock;
        body(first, std::min(n, first + kCheapItemsPerBlock) - first);
    });
}

// body(i) for i in [0, n), in blocks as parallel_for_range_blocks.
template <typename Body>
void parallel_for_blocks(int64_t n, int threads, Body body) {
    parallel_for_range_blocks(n, threads, [&](int64_t first, int64_t count) {
        for (int64_t i = first; i < first + count; ++i) body(i);
    });
}

}  // namespace norm4j

#endif
