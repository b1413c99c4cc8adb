// The storage conversions of a vector kernel set against the scalar set, bit for bit: every bf16
// and f16 pattern widened; f32 patterns rounded (2^24 of them spread over the whole range, and
// every sign-and-exponent with the low bits that decide a rounding: ties, either side of them,
// zero and all ones); and runs of every test size at unaligned starts, with guards.
#include <vector>

#include "kernel_test_support.h"

namespace norm4j::test {

namespace {

// Every 16-bit pattern, widened by both tables.
template <typename H>
void test_widen_all(const KernelTable &v, const KernelTable &s, Report &report, const char *kernel,
                    void (*KernelTable::*entry)(const H *, float *, int64_t)) {
    std::vector<H> all(65536);
    for (uint32_t i = 0; i < 65536; ++i) all[i].bits = static_cast<uint16_t>(i);
    std::vector<float> got(all.size()), expected(all.size());
    (v.*entry)(all.data(), got.data(), 65536);
    (s.*entry)(all.data(), expected.data(), 65536);
    same_bits(report, where(v, kernel, "all 65536 patterns"), "dst", got.data(), expected.data(), 65536);
}

// The f32 patterns rounded: i * 257 for i < 2^24, and each of the 65536 top halves with low halves
// around bf16's ties (0x8000) and f16's (bit 12 of the mantissa), zero and all ones.
std::vector<float> rounding_patterns() {
    std::vector<uint32_t> bits;
    for (uint32_t i = 0; i < (1u << 24); ++i) bits.push_back(i * 257u);
    for (uint32_t top = 0; top < 65536; ++top)
        for (uint32_t low : {0x0000u, 0x0001u, 0x0fffu, 0x1000u, 0x1001u, 0x2000u, 0x3000u, 0x7fffu, 0x8000u, 0x8001u,
                             0xefffu, 0xf000u, 0xf001u, 0xffffu})
            bits.push_back(top << 16 | low);
    std::vector<float> values(bits.size());
    std::memcpy(values.data(), bits.data(), bits.size() * sizeof(float));
    return values;
}

template <typename H>
void test_round_patterns(const KernelTable &v, const KernelTable &s, Report &report, const char *kernel,
                         void (*KernelTable::*entry)(const float *, H *, int64_t), const std::vector<float> &values) {
    const int64_t n = static_cast<int64_t>(values.size());
    std::vector<H> got(values.size()), expected(values.size());
    (v.*entry)(values.data(), got.data(), n);
    (s.*entry)(values.data(), expected.data(), n);
    same_bits(report, where(v, kernel, std::to_string(n) + " f32 patterns"), "dst", got.data(), expected.data(), n);
}

// Runs of every test size, unaligned, with guards: a round trip f32 -> H -> f32.
template <typename H>
void test_runs(const KernelTable &v, const KernelTable &s, Report &report, const char *name,
               void (*KernelTable::*narrow)(const float *, H *, int64_t),
               void (*KernelTable::*widen)(const H *, float *, int64_t)) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets()) {
            const std::string at = std::string(name) + " n=" + std::to_string(n) + " offset=" + std::to_string(offset);
            Guarded<float> x(n, offset, kGuardFloat), back(n, offset, kGuardFloat), expected_back(n, offset, kGuardFloat);
            Values(n * 23 + offset).fill(x.data(), n);
            Guarded<H> half(n, offset, H{0xbeef}), expected(n, offset, H{0xbeef});
            (v.*narrow)(x.data(), half.data(), n);
            (s.*narrow)(x.data(), expected.data(), n);
            same_bits(report, where(v, "round", at), "dst", half.data(), expected.data(), n);
            check_guards(report, where(v, "round", at), "dst", half);
            (v.*widen)(half.data(), back.data(), n);
            (s.*widen)(expected.data(), expected_back.data(), n);
            same_bits(report, where(v, "widen", at), "dst", back.data(), expected_back.data(), n);
            check_guards(report, where(v, "widen", at), "dst", back);
        }
}

}  // namespace

void test_convert_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    test_widen_all<bf16>(vector, scalar, report, "bf16_to_floats", &KernelTable::bf16_to_floats);
    test_widen_all<f16>(vector, scalar, report, "f16_to_floats", &KernelTable::f16_to_floats);
    const std::vector<float> values = rounding_patterns();
    test_round_patterns<bf16>(vector, scalar, report, "floats_to_bf16", &KernelTable::floats_to_bf16, values);
    test_round_patterns<f16>(vector, scalar, report, "floats_to_f16", &KernelTable::floats_to_f16, values);
    test_runs<bf16>(vector, scalar, report, "bf16", &KernelTable::floats_to_bf16, &KernelTable::bf16_to_floats);
    test_runs<f16>(vector, scalar, report, "f16", &KernelTable::floats_to_f16, &KernelTable::f16_to_floats);
}

}  // namespace norm4j::test
