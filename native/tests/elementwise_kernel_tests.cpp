// add_arrays against the scalar kernel, bit for bit: every test size, unaligned, around the caches
// or not, into a third array and in place over either input, with guards around the output; its
// bf16 and f16 forms against the storage types' own conversions (each widened sum rounded once),
// the same ways; and copy_floats, whose copy must have the source's bits (NaN payloads and signed
// zeros included).
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

template <typename H>
void test_add_stored(const KernelTable &k, Report &report, int64_t n, int64_t offset, bool around_caches, Into into,
                     const char *kernel, void (*KernelTable::*entry)(const H *, const H *, H *, int64_t, bool),
                     H (*round)(float)) {
    const std::string at = "n=" + std::to_string(n) + " offset=" + std::to_string(offset) +
                           (around_caches ? " around caches" : "") +
                           (into == Into::kFirst ? " over a" : into == Into::kSecond ? " over b" : "");
    Guarded<H> a(n, offset, H{0xbeef}), b(n, offset, H{0xbeef}), out(n, offset, H{0xbeef});
    Values values(n * 37 + offset);
    std::vector<H> expected(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        a.data()[i] = round(values.next());
        b.data()[i] = round(values.next() * 0.001f);  // sums whose rounding matters
        expected[i] = round(widen(a.data()[i]) + widen(b.data()[i]));
    }
    Guarded<H> &target = into == Into::kFirst ? a : into == Into::kSecond ? b : out;
    (k.*entry)(a.data(), b.data(), target.data(), n, around_caches);
    fence_stores();
    same_bits(report, where(k, kernel, at), "out", target.data(), expected.data(), n);
    check_guards(report, where(k, kernel, at), "out", target);
}

void test_copy_floats(const KernelTable &v, Report &report, int64_t n, int64_t offset, bool around_caches) {
    const std::string at = "n=" + std::to_string(n) + " offset=" + std::to_string(offset) +
                           (around_caches ? " around caches" : "");
    Guarded<float> src(n, offset, kGuardFloat), dst(n, offset + 1, kGuardFloat);
    Values values(n * 31 + offset);
    values.fill(src.data(), n);
    const uint32_t specials[] = {0x80000000u, 0x7fc12345u, 0xffa00001u, 0x00000001u, 0x7f800000u};
    for (int64_t i = 0; i < n; i += 3) std::memcpy(src.data() + i, &specials[i % 5], sizeof(float));
    v.copy_floats(src.data(), dst.data(), n, around_caches);
    fence_stores();
    same_bits(report, where(v, "copy_floats", at), "dst", dst.data(), src.data(), n);
    check_guards(report, where(v, "copy_floats", at), "dst", dst);
}

}  // namespace

void test_elementwise_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets())
            for (bool around_caches : {false, true})
                for (Into into : {Into::kThird, Into::kFirst, Into::kSecond})
                    test_add_arrays(vector, scalar, report, n, offset, around_caches, into);
    for (const KernelTable *k : {&vector, &scalar})
        for (int64_t n : segment_sizes())
            for (int64_t offset : offsets())
                for (bool around_caches : {false, true}) {
                    test_copy_floats(*k, report, n, offset, around_caches);
                    for (Into into : {Into::kThird, Into::kFirst, Into::kSecond}) {
                        test_add_stored<bf16>(*k, report, n, offset, around_caches, into, "add_arrays_bf16",
                                              &KernelTable::add_arrays_bf16, round_to_bf16);
                        test_add_stored<f16>(*k, report, n, offset, around_caches, into, "add_arrays_f16",
                                             &KernelTable::add_arrays_f16, round_to_f16);
                    }
                }
}

}  // namespace norm4j::test
