// Per-thread scratch memory for the temporaries of a call: partial sums per chunk, per-channel
// constants. Each thread keeps the blocks it has needed and hands them out again frame by frame,
// like a stack, so a call in steady state does not touch the C heap: allocating and freeing a
// few hundred KiB per call makes glibc give the pages back and fault them in again every time.
#ifndef NORM4J_SCRATCH_H
#define NORM4J_SCRATCH_H

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace norm4j {

// The scope of a call's scratch on the current thread: arrays taken through it stay valid until
// it ends, and are all given back then. Frames nest; one frame is used by one thread only.
class ScratchFrame {
public:
    ScratchFrame();
    ~ScratchFrame();
    ScratchFrame(const ScratchFrame &) = delete;
    ScratchFrame &operator=(const ScratchFrame &) = delete;

    // n uninitialised values, aligned to 64 bytes.
    template <typename T>
    T *array(int64_t n) {
        return static_cast<T *>(take(static_cast<size_t>(n > 0 ? n : 0) * sizeof(T)));
    }

    // n copies of value.
    template <typename T>
    T *array(int64_t n, T value) {
        T *p = array<T>(n);
        std::fill(p, p + (n > 0 ? n : 0), value);
        return p;
    }

private:
    void *take(size_t bytes);
    size_t block_, offset_;  // the thread's cursor when the frame began
};

}  // namespace norm4j

#endif
