// What the kernel tests share: buffers with guard zones on both sides (a kernel that writes past
// its data, or before it, is caught), deterministic inputs, the comparison of a vector kernel's
// result with the scalar kernel's, and failure reports that name the kernel set, the kernel and
// the size.
#ifndef NORM4J_KERNEL_TEST_SUPPORT_H
#define NORM4J_KERNEL_TEST_SUPPORT_H

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "../src/kernels.h"

namespace norm4j::test {

// Values each side of a buffer's data that no kernel may touch.
constexpr int64_t kGuard = 64;
// A guard value no kernel computes from the inputs below (a quiet NaN's payload would be lost).
constexpr float kGuardFloat = -12345.678f;
constexpr double kGuardDouble = -98765.4321;

// n values of T starting `offset` values past a 64-byte boundary, with guards around them.
template <typename T>
class Guarded {
   public:
    Guarded(int64_t n, int64_t offset, T guard) : n_(n), offset_(offset), guard_(guard) {
        storage_.assign(static_cast<size_t>(n + offset + 2 * kGuard + 64 / sizeof(T)), guard);
    }
    T *data() { return aligned() + kGuard + offset_; }
    int64_t size() const { return n_; }
    // Whether every guard value is as set.
    bool guards_intact() {
        T *d = data();
        for (int64_t i = 1; i <= kGuard; ++i)
            if (std::memcmp(&d[-i], &guard_, sizeof(T)) != 0 || std::memcmp(&d[n_ - 1 + i], &guard_, sizeof(T)) != 0)
                return false;
        return true;
    }

   private:
    T *aligned() {
        const auto p = reinterpret_cast<uintptr_t>(storage_.data());
        return reinterpret_cast<T *>((p + 63) & ~uintptr_t{63});
    }
    int64_t n_, offset_;
    T guard_;
    std::vector<T> storage_;
};

// Deterministic values in [-2, 2) (a linear congruential sequence: the same on every machine).
class Values {
   public:
    explicit Values(uint64_t seed) : state_(seed * 6364136223846793005ull + 1442695040888963407ull) {}
    float next() {
        state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<float>(static_cast<int64_t>(state_ >> 40) - (int64_t{1} << 23)) * 0x1p-22f;
    }
    template <typename T>
    void fill(T *p, int64_t n) {
        for (int64_t i = 0; i < n; ++i) p[i] = next();
    }

   private:
    uint64_t state_;
};

// The failures of one run, printed as they happen (the first three per kernel set and kernel).
class Report {
   public:
    void fail(const std::string &where, const std::string &what) {
        ++failures_;
        const std::string kernel = where.substr(0, where.find(' ', where.find(' ') + 1));
        if (++per_kernel_[kernel] <= 3) std::fprintf(stderr, "FAIL %s: %s\n", where.c_str(), what.c_str());
    }
    void passed() { ++checks_; }
    int failures() const { return failures_; }
    int checks() const { return checks_; }

   private:
    int failures_ = 0, checks_ = 0;
    std::map<std::string, int> per_kernel_;
};

// Compares n values of a vector kernel's output with the scalar kernel's: each within
// tolerance(expected) (exactly, where it is 0), NaN where NaN is expected.
template <typename T, typename Tolerance>
void compare(Report &report, const std::string &where, const char *name, const T *got, const T *expected, int64_t n,
             Tolerance tolerance) {
    for (int64_t i = 0; i < n; ++i) {
        const double g = got[i], e = expected[i];
        const bool ok = std::isnan(e) ? std::isnan(g) : g == e || std::fabs(g - e) <= tolerance(e);
        if (!ok) {
            char text[160];
            std::snprintf(text, sizeof text, "%s[%lld] = %.9g, the scalar kernel gives %.9g", name,
                          static_cast<long long>(i), g, e);
            report.fail(where, text);
            return;
        }
    }
    report.passed();
}

// Compares n values bit for bit (NaN payloads and signed zeros included).
template <typename T>
void same_bits(Report &report, const std::string &where, const char *name, const T *got, const T *expected, int64_t n) {
    for (int64_t i = 0; i < n; ++i)
        if (std::memcmp(&got[i], &expected[i], sizeof(T)) != 0) {
            static_assert(sizeof(T) <= sizeof(uint64_t), "same_bits prints at most 64 bits");
            uint64_t g = 0, e = 0;
            std::memcpy(&g, &got[i], sizeof(T));
            std::memcpy(&e, &expected[i], sizeof(T));
            char text[160];
            std::snprintf(text, sizeof text, "%s[%lld] has bits 0x%llx, expected 0x%llx", name,
                          static_cast<long long>(i), static_cast<unsigned long long>(g),
                          static_cast<unsigned long long>(e));
            report.fail(where, text);
            return;
        }
    report.passed();
}

template <typename T>
void check_guards(Report &report, const std::string &where, const char *name, Guarded<T> &buffer) {
    if (buffer.guards_intact()) report.passed();
    else report.fail(where, std::string("wrote outside ") + name);
}

// f32 outputs: the vector kernels fuse a multiply and an add the scalar kernels round twice, on
// values of a few units: an error of 2^-19 at most; 2^-16 leaves room and still sees any wrong
// lane, index or mask (those are off by the size of the data).
inline double float_tolerance(double e) { return 0x1p-16 * (1 + std::fabs(e)); }
// Exactly the same: the kernels promise the scalar code's bits.
inline double exact(double) { return 0; }
// Double sums of up to a few thousand terms of a few units, in another order: 1e-12 relative
// to the terms' total magnitude, which `scale` bounds.
inline auto sum_tolerance(double scale) {
    return [scale](double) { return 1e-12 * (1 + scale); };
}

// The sizes every segment kernel is run on: empty, single values, either side of one and two
// vectors of eight and of sixteen, and of the 32-value unrolled blocks, and longer runs.
inline const std::vector<int64_t> &segment_sizes() {
    static const std::vector<int64_t> sizes = {0,  1,  2,  3,  7,  8,  9,  15, 16,  17,  23,   24,   31,  32,
                                               33, 47, 48, 63, 64, 65, 95, 97, 255, 256, 257, 1023, 1024, 1031};
    return sizes;
}
// Starts this many floats past a cache line: aligned, and not.
inline const std::vector<int64_t> &offsets() {
    static const std::vector<int64_t> o = {0, 1, 3};
    return o;
}

// Orders the non-temporal stores of a kernel run around the caches before the result is read.
inline void fence_stores() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_sfence();
#endif
}

std::string where(const KernelTable &k, const char *kernel, const std::string &detail);

// The kernel tests, by family; each adds its checks and failures to report.
void test_segment_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report);
void test_backward_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report);
void test_column_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report);
void test_convert_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report);
void test_elementwise_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report);
void test_activation_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report);
void test_activation_accuracy(const KernelTable &scalar, Report &report);
// Every table's (the scalar one's too) row kernels on bf16 and f16 data against its f32 kernels.
void test_stored_row_kernels(const KernelTable &k, Report &report);
void test_stored_column_kernels(const KernelTable &k, Report &report);
void test_stored_backward_kernels(const KernelTable &k, Report &report);

}  // namespace norm4j::test

#endif
