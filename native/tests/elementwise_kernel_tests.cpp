// add_arrays against the scalar kernel, bit for bit: every test size, unaligned, around the caches
// or not, into a third array and in place over either input, with guards around the output.
#include "kernel_test_support.h"

namespace norm4j::test {

namespace {

enum class Into { kThird, kFirst, kSecond };

void test_add_arrays(const KernelTable &v, const KernelTable &s, Report &report, int64_t n, int64_t offset,
                     bool around_caches, Into into) {
    const std::string at = "n=" + std::to_string(n) + " offset=" + std::to_string(offset) +
                           (around_caches ? " around caches" : "") +
                           (into == Into::kFirst ? " over a" : into == Into::kSecond ? " over b" : "");
    Guarded<float> a(n, offset, kGuardFloat), b(n, offset, kGuardFloat), out(n, offset, kGuardFloat);
    Values values(n * 29 + offset);
    values.fill(a.data(), n);
    values.fill(b.data(), n);
    std::vector<float> expected(static_cast<size_t>(n));
    s.add_arrays(a.data(), b.data(), expected.data(), n, false);
    Guarded<float> &target = into == Into::kFirst ? a : into == Into::kSecond ? b : out;
    v.add_arrays(a.data(), b.data(), target.data(), n, around_caches);
    fence_stores();
    compare(report, where(v, "add_arrays", at), "out", target.data(), expected.data(), n, exact);
    check_guards(report, where(v, "add_arrays", at), "out", target);
}

}  // namespace

void test_elementwise_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets())
            for (bool around_caches : {false, true})
                for (Into into : {Into::kThird, Into::kFirst, Into::kSecond})
                    test_add_arrays(vector, scalar, report, n, offset, around_caches, into);
}

}  // namespace norm4j::test
