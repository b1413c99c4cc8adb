// The segment kernels (sums, the normalize family) of a vector kernel set against the scalar set.
#include "kernel_test_support.h"

namespace norm4j::test {

namespace {

std::string size_text(int64_t n, int64_t offset, const char *extra = "") {
    return "n=" + std::to_string(n) + " offset=" + std::to_string(offset) + extra;
}

void test_sums(const KernelTable &v, const KernelTable &s, Report &report, int64_t n, int64_t offset) {
    Guarded<float> x(n, offset, kGuardFloat);
    Values(n * 7 + offset).fill(x.data(), n);
    const double scale = 16.0 * static_cast<double>(n);
    const std::string at = size_text(n, offset);
    auto same = [&](const char *kernel, const char *name, double got, double expected) {
        compare(report, where(v, kernel, at), name, &got, &expected, 1, sum_tolerance(scale));
    };
    same("sum", "sum", v.sum(x.data(), n), s.sum(x.data(), n));
    same("centred_square_sum", "sum", v.centred_square_sum(x.data(), n, 0.37), s.centred_square_sum(x.data(), n, 0.37));
    same("square_sum", "sum", v.square_sum(x.data(), n), s.square_sum(x.data(), n));
    double a1 = 1.5, a2 = 2.5, b1 = 1.5, b2 = 2.5;  // the sums add into what is there
    v.pivoted_sums(x.data(), n, -0.25, &a1, &a2);
    s.pivoted_sums(x.data(), n, -0.25, &b1, &b2);
    same("pivoted_sums", "s1", a1, b1);
    same("pivoted_sums", "s2", a2, b2);
    check_guards(report, where(v, "sums", at), "x (read only)", x);
}

CentringConstants constants(bool centred) {
    CentringConstants c;
    c.mean_hi = centred ? 0.3125f : 0.0f;
    c.mean_lo = centred ? 1.0e-8f : 0.0f;
    c.rstd = 1.375f;
    return c;
}

// normalize and normalize_then_sums, with and without weight and bias, centred or not (RMS norm),
// out of place and in place.
void test_normalize(const KernelTable &v, const KernelTable &s, Report &report, int64_t n, int64_t offset) {
    Values values(n * 13 + offset);
    Guarded<float> x(n, offset, kGuardFloat), w(n, offset, kGuardFloat), b(n, offset, kGuardFloat);
    Guarded<float> next(n, offset, kGuardFloat);
    values.fill(x.data(), n);
    values.fill(w.data(), n);
    values.fill(b.data(), n);
    values.fill(next.data(), n);
    for (int form = 0; form < 16; ++form) {
        const bool weight = form & 1, bias = form & 2, centred = form & 4, in_place = form & 8;
        const CentringConstants c = constants(centred);
        const float *wp = weight ? w.data() : nullptr, *bp = bias ? b.data() : nullptr;
        const std::string at = size_text(n, offset) + (weight ? " weight" : "") + (bias ? " bias" : "") +
                               (centred ? " centred" : " uncentred") + (in_place ? " in place" : "");
        Guarded<float> got(n, offset, kGuardFloat), expected(n, offset, kGuardFloat);
        std::copy(x.data(), x.data() + n, got.data());
        s.normalize(x.data(), expected.data(), n, c, wp, bp);
        v.normalize(in_place ? got.data() : x.data(), got.data(), n, c, wp, bp);
        compare(report, where(v, "normalize", at), "y", got.data(), expected.data(), n, float_tolerance);
        check_guards(report, where(v, "normalize", at), "y", got);

        const double pivot = centred ? 0.3125 : 0.0;
        double g1 = 0.5, g2 = 0.5, e1 = 0.5, e2 = 0.5;
        std::copy(x.data(), x.data() + n, got.data());
        v.normalize_then_sums(in_place ? got.data() : x.data(), got.data(), n, c, wp, bp, next.data(), pivot,
                              centred ? &g1 : nullptr, &g2);
        s.normalize_then_sums(x.data(), expected.data(), n, c, wp, bp, next.data(), pivot, centred ? &e1 : nullptr,
                              &e2);
        compare(report, where(v, "normalize_then_sums", at), "y", got.data(), expected.data(), n, float_tolerance);
        compare(report, where(v, "normalize_then_sums", at), "s1", &g1, &e1, 1, sum_tolerance(16.0 * n));
        compare(report, where(v, "normalize_then_sums", at), "s2", &g2, &e2, 1, sum_tolerance(16.0 * n));
        check_guards(report, where(v, "normalize_then_sums", at), "y", got);
    }
}

void test_normalize_uniform(const KernelTable &v, const KernelTable &s, Report &report, int64_t n, int64_t offset) {
    Guarded<float> x(n, offset, kGuardFloat);
    Values(n * 17 + offset).fill(x.data(), n);
    for (bool around : {false, true}) {
        const std::string at = size_text(n, offset, around ? " around the caches" : "");
        Guarded<float> got(n, offset, kGuardFloat), expected(n, offset, kGuardFloat);
        v.normalize_uniform(x.data(), got.data(), n, constants(true), -0.75f, 0.125f, around);
        s.normalize_uniform(x.data(), expected.data(), n, constants(true), -0.75f, 0.125f, around);
        fence_stores();
        compare(report, where(v, "normalize_uniform", at), "y", got.data(), expected.data(), n, float_tolerance);
        check_guards(report, where(v, "normalize_uniform", at), "y", got);
    }
}

}  // namespace

void test_segment_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets()) {
            test_sums(vector, scalar, report, n, offset);
            test_normalize(vector, scalar, report, n, offset);
            test_normalize_uniform(vector, scalar, report, n, offset);
        }
}

}  // namespace norm4j::test
