#include "threading.h"

#include <atomic>
#include <thread>

#include "norm4j/norm4j.h"

namespace norm4j {

namespace {

// Asked once: glibc answers hardware_concurrency by reading /sys on every call, which costs more
// than a small call's work.
int default_threads() {
    static const int n = [] {
        const unsigned c = std::thread::hardware_concurrency();
        return c == 0 ? 1 : static_cast<int>(c);
    }();
    return n;
}

std::atomic<int> g_threads{0};  // 0: the default

}  // namespace

int threads_for(int64_t elements) {
#if defined(_OPENMP)
    if (elements < kParallelThreshold) return 1;
    const int t = g_threads.load(std::memory_order_relaxed);
    return t > 0 ? t : default_threads();
#else
    (void)elements;
    return 1;
#endif
}

}  // namespace norm4j

extern "C" int norm4j_set_threads(int threads) {
    if (threads < 0) return NORM4J_ERR_ARGUMENT;
    norm4j::g_threads.store(threads, std::memory_order_relaxed);
    return NORM4J_OK;
}

extern "C" int norm4j_threads(void) {
    const int t = norm4j::g_threads.load(std::memory_order_relaxed);
    return t > 0 ? t : norm4j::default_threads();
}
