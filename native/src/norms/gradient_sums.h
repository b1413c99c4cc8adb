// Double accumulators for parameter gradients, written out once as floats at the end. The
// arrays live in the calling thread's scratch (scratch.h).
#ifndef NORM4J_GRADIENT_SUMS_H
#define NORM4J_GRADIENT_SUMS_H

#include <algorithm>
#include <cstdint>

#include "../kernels.h"
#include "../scratch.h"

namespace norm4j {

// dw and db of `channels` channels.
struct ParamGradients {
    double *dw, *db;
    int64_t channels;

    // Zeroed arrays taken from frame.
    ParamGradients(ScratchFrame &frame, int64_t channels_)
        : ParamGradients(frame.array<double>(2 * channels_, 0.0), channels_) {}

    // A view of 2 x channels doubles at `at` (dw, then db), as they are.
    ParamGradients(double *at, int64_t channels_) : dw(at), db(at + channels_), channels(channels_) {}

    void clear() { std::fill(dw, dw + 2 * channels, 0.0); }

    // Adds other's dw, and its db too when with_db (a filler that takes no bias leaves db unset).
    void add(const ParamGradients &other, bool with_db = true) {
        for (int64_t i = 0; i < channels; ++i) dw[i] += other.dw[i];
        if (with_db)
            for (int64_t i = 0; i < channels; ++i) db[i] += other.db[i];
    }

    void write(const KernelTable &k, float *dweight, float *dbias) const {
        if (dweight != nullptr) k.store_as_floats(dw, dweight, channels);
        if (dbias != nullptr) k.store_as_floats(db, dbias, channels);
    }
};

// One ParamGradients per chunk of work (a chunk of rows, a sample), each started by the thread
// that fills it, then added in chunk order: the total does not depend on the thread count.
class ChunkParamGradients {
public:
    ChunkParamGradients(ScratchFrame &frame, int64_t chunks, int64_t channels)
        : data_(frame.array<double>(2 * chunks * channels)), chunks_(chunks), channels_(channels) {}

    // Chunk c's sums as they are, for a filler that sets them before adding to them.
    ParamGradients at(int64_t c) const { return ParamGradients(data_ + 2 * c * channels_, channels_); }

    // Chunk c's sums, cleared.
    ParamGradients start(int64_t c) const {
        ParamGradients p = at(c);
        p.clear();
        return p;
    }

    void write_total(const KernelTable &k, float *dweight, float *dbias) const {
        ParamGradients total(data_, channels_);  // chunk 0 accumulates the others
        for (int64_t c = 1; c < chunks_; ++c)
            total.add(ParamGradients(data_ + 2 * c * channels_, channels_), dbias != nullptr);
        total.write(k, dweight, dbias);
    }

private:
    double *data_;
    int64_t chunks_, channels_;
};

}  // namespace norm4j

#endif
