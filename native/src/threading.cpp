#include "threading.h"

#include <atomic>
#include <thread>

#include "norm4j/norm4j.h"

namespace norm4j {

namespace {

// Below this many values a call is over in microseconds: a thread team would cost more.
constexpr int64_t kParallelThreshold = int64_t{1} << 17;

int default_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
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
