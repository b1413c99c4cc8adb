// How NATIVE splits a large call across threads without changing its result.
//
// Work is cut into chunks whose boundaries depend only on the problem size (never on the thread
// count), each chunk's partial results are kept apart, and partials are combined in chunk order
// on one thread. Rows, channels and groups that are independent are simply shared out. So the
// bits of every output are the same for 1, 2 or 64 threads, and from run to run.
#ifndef NORM4J_THREADING_H
#define NORM4J_THREADING_H

#include <cstdint>

namespace norm4j {

// Threads for a call touching `elements` values: 1 below the size where threads pay off.
int threads_for(int64_t elements);

// Rows per chunk when partial sums over rows must be combined deterministically.
constexpr int64_t kChunkRows = 256;

inline int64_t chunk_count(int64_t rows) { return (rows + kChunkRows - 1) / kChunkRows; }

// body(i) for i in [0, n), shared statically among `threads` threads. With one thread it is a
// plain loop: entering the OpenMP runtime at all costs more than a small call.
template <typename Body>
void parallel_for(int64_t n, int threads, Body body) {
    if (threads <= 1) {
        for (int64_t i = 0; i < n; ++i) body(i);
        return;
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t i = 0; i < n; ++i) body(i);
}

}  // namespace norm4j

#endif
