// The segment kernels (sums, the normalize family) of a vector kernel set against the scalar set.
#include <cmath>

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

// The row kernels on bf16 or f16 data against the same table's f32 kernels on the widened values,
// the outputs rounded: the same bits, sums and outputs (in place too). With `spread`, the values'
// magnitudes span 2^-12..2^11 times [-2, 2), so that the double sums round and their bits depend
// on which lanes each value is added into and the order the lanes are combined in.
template <typename H>
void test_stored_rows(const KernelTable &k, Report &report, int64_t n, int64_t offset, bool spread, const char *type,
                      void (*KernelTable::*pivoted)(const H *, int64_t, double, double *, double *),
                      double (*KernelTable::*squares)(const H *, int64_t),
                      void (*KernelTable::*norm)(const H *, H *, int64_t, const CentringConstants &, const float *,
                                                const float *),
                      void (*KernelTable::*fused)(const H *, H *, int64_t, const CentringConstants &, const float *,
                                                 const float *, const H *, double, double *, double *),
                      H (*round)(float)) {
    Values values(n * 29 + offset);
    Guarded<H> x(n, offset, H{0xbeef}), next(n, offset, H{0xbeef});
    Guarded<float> wide(n, offset, kGuardFloat), wide_next(n, offset, kGuardFloat), w(n, offset, kGuardFloat);
    for (int64_t i = 0; i < n; ++i) {
        const float scale = spread ? std::ldexp(1.0f, static_cast<int>(i * 7 % 24) - 12) : 1.0f;
        x.data()[i] = round(values.next() * scale);
        next.data()[i] = round(values.next() * scale);
        wide.data()[i] = widen(x.data()[i]);
        wide_next.data()[i] = widen(next.data()[i]);
        w.data()[i] = values.next();
    }
    const std::string at = std::string(type) + (spread ? " spread" : "") + " n=" + std::to_string(n) +
                           " offset=" + std::to_string(offset);
    double a1 = 0.5, a2 = 0.5, b1 = 0.5, b2 = 0.5;
    (k.*pivoted)(x.data(), n, 0.25, &a1, &a2);
    k.pivoted_sums(wide.data(), n, 0.25, &b1, &b2);
    const double sq = (k.*squares)(x.data(), n), wide_sq = k.square_sum(wide.data(), n);
    compare(report, where(k, "pivoted_sums (stored)", at), "s1", &a1, &b1, 1, exact);
    compare(report, where(k, "pivoted_sums (stored)", at), "s2", &a2, &b2, 1, exact);
    compare(report, where(k, "square_sum (stored)", at), "sum", &sq, &wide_sq, 1, exact);
    for (int form = 0; form < 4; ++form) {
        const bool centred = form & 1, in_place = form & 2;
        CentringConstants c;
        c.mean_hi = centred ? 0.3125f : 0.0f;
        c.mean_lo = centred ? 1.0e-8f : 0.0f;
        c.rstd = 1.375f;
        const std::string detail = at + (centred ? " centred" : " uncentred") + (in_place ? " in place" : "");
        Guarded<H> got(n, offset, H{0xbeef}), got_fused(n, offset, H{0xbeef});
        Guarded<float> y(n, offset, kGuardFloat), y_fused(n, offset, kGuardFloat);
        std::copy(x.data(), x.data() + n, got.data());
        std::copy(x.data(), x.data() + n, got_fused.data());
        (k.*norm)(in_place ? got.data() : x.data(), got.data(), n, c, w.data(), nullptr);
        k.normalize(wide.data(), y.data(), n, c, w.data(), nullptr);
        double g1 = 0, g2 = 0, e1 = 0, e2 = 0;
        (k.*fused)(in_place ? got_fused.data() : x.data(), got_fused.data(), n, c, nullptr, w.data(), next.data(),
                   centred ? 0.25 : 0.0, centred ? &g1 : nullptr, &g2);
        k.normalize_then_sums(wide.data(), y_fused.data(), n, c, nullptr, w.data(), wide_next.data(),
                              centred ? 0.25 : 0.0, centred ? &e1 : nullptr, &e2);
        std::vector<float> a(n), b(n), af(n), bf(n);
        for (int64_t i = 0; i < n; ++i) {
            a[i] = widen(got.data()[i]);
            b[i] = widen(round(y.data()[i]));
            af[i] = widen(got_fused.data()[i]);
            bf[i] = widen(round(y_fused.data()[i]));
        }
        compare(report, where(k, "normalize (stored)", detail), "y", a.data(), b.data(), n, exact);
        compare(report, where(k, "normalize_then_sums (stored)", detail), "y", af.data(), bf.data(), n, exact);
        compare(report, where(k, "normalize_then_sums (stored)", detail), "s2", &g2, &e2, 1, exact);
        compare(report, where(k, "normalize_then_sums (stored)", detail), "s1", &g1, &e1, 1, exact);
        check_guards(report, where(k, "normalize (stored)", detail), "y", got);
        check_guards(report, where(k, "normalize_then_sums (stored)", detail), "y", got_fused);
    }
}

}  // namespace

void test_stored_row_kernels(const KernelTable &k, Report &report) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets())
            for (bool spread : {false, true}) {
                test_stored_rows<bf16>(k, report, n, offset, spread, "bf16", &KernelTable::pivoted_sums_bf16,
                                       &KernelTable::square_sum_bf16, &KernelTable::normalize_bf16,
                                       &KernelTable::normalize_then_sums_bf16, round_to_bf16);
                test_stored_rows<f16>(k, report, n, offset, spread, "f16", &KernelTable::pivoted_sums_f16,
                                      &KernelTable::square_sum_f16, &KernelTable::normalize_f16,
                                      &KernelTable::normalize_then_sums_f16, round_to_f16);
            }
}

void test_segment_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets()) {
            test_sums(vector, scalar, report, n, offset);
            test_normalize(vector, scalar, report, n, offset);
            test_normalize_uniform(vector, scalar, report, n, offset);
        }
}

}  // namespace norm4j::test
