// The activations of the fused norms: each vector kernel against the scalar kernel, bit for bit
// (every test size, unaligned, in place or into a third array, with guards around the output),
// the output passes that apply them against the scalar ones, and the scalar kernel against the
// activation computed in double.
#include "kernel_test_support.h"

namespace norm4j::test {

namespace {

constexpr int kKinds[] = {NORM4J_ACTIVATION_RELU, NORM4J_ACTIVATION_SILU};

const char *kind_name(int kind) { return kind == NORM4J_ACTIVATION_RELU ? "relu" : "silu"; }

// Inputs over the range where e(t) clamps and overflows, with the values that have their own
// rule: signed zeros, NaN, infinities, a subnormal.
void fill_wide(float *p, int64_t n, uint64_t seed) {
    static const float special[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, 88.5f, -88.5f, 87.5f, -87.5f,
                                    100.0f, -100.0f, 1e-40f, -1.2785f};
    Values values(seed);
    for (int64_t i = 0; i < n; ++i)
        p[i] = i % 7 == 3 ? special[(i / 7) % (sizeof special / sizeof special[0])] : values.next() * (i % 3 == 0 ? 50 : 3);
}

std::string at(int kind, int64_t n, int64_t offset, bool in_place) {
    return std::string(kind_name(kind)) + " n=" + std::to_string(n) + " offset=" + std::to_string(offset) +
           (in_place ? " in place" : "");
}

void test_activate(const KernelTable &v, const KernelTable &s, Report &report, int kind, int64_t n, int64_t offset) {
    Guarded<float> y(n, offset, kGuardFloat);
    fill_wide(y.data(), n, static_cast<uint64_t>(n * 31 + offset));
    std::vector<float> expected(y.data(), y.data() + n);
    s.activate(expected.data(), n, kind);
    v.activate(y.data(), n, kind);
    compare(report, where(v, "activate", at(kind, n, offset, true)), "y", y.data(), expected.data(), n, exact);
    check_guards(report, where(v, "activate", at(kind, n, offset, true)), "y", y);
}

// The plane kernel with one plane's constants, and the row kernel with per-channel ones.
void test_gradients(const KernelTable &v, const KernelTable &s, Report &report, int kind, int64_t n, int64_t offset,
                    bool in_place) {
    const std::string here = at(kind, n, offset, in_place);
    Guarded<float> x(n, offset, kGuardFloat), dy(n, offset, kGuardFloat), dpre(n, offset, kGuardFloat);
    Values values(static_cast<uint64_t>(n * 17 + offset));
    fill_wide(x.data(), n, static_cast<uint64_t>(n + 5));
    values.fill(dy.data(), n);
    std::vector<float> mean(n), rstd(n), w(n), b(n);
    for (int64_t i = 0; i < n; ++i) {
        mean[i] = values.next();
        rstd[i] = 1.0f + values.next() * 0.4f;
        w[i] = values.next() * 3;
        b[i] = values.next();
    }
    const std::vector<float> dy_in(dy.data(), dy.data() + n);
    Guarded<float> &out = in_place ? dy : dpre;

    const PreActivation plane{0.5f, 1.3f, -2.5f, 0.25f};
    std::vector<float> expected(n);
    s.activation_gradient_plane(x.data(), dy_in.data(), expected.data(), n, plane, kind);
    v.activation_gradient_plane(x.data(), dy.data(), out.data(), n, plane, kind);
    compare(report, where(v, "activation_gradient_plane", here), "dpre", out.data(), expected.data(), n, exact);
    check_guards(report, where(v, "activation_gradient_plane", here), "dpre", out);

    std::copy(dy_in.begin(), dy_in.end(), dy.data());
    const PreActivationColumns columns{mean.data(), rstd.data(), w.data(), b.data()};
    s.activation_gradient_row(x.data(), dy_in.data(), expected.data(), n, columns, kind);
    v.activation_gradient_row(x.data(), dy.data(), out.data(), n, columns, kind);
    compare(report, where(v, "activation_gradient_row", here), "dpre", out.data(), expected.data(), n, exact);
    check_guards(report, where(v, "activation_gradient_row", here), "dpre", out);
}

// The output passes with the activation against the scalar kernel's normalize then activate, a
// plane with one set of constants and channels-last rows with per-column constants (cols values,
// wrapped past cols as normalize_columns reads them), within float_tolerance: the vector kernels
// fuse the normalization's multiply and add.
void test_normalize_activated(const KernelTable &v, const KernelTable &s, Report &report, int kind, int64_t n,
                              int64_t offset) {
    const std::string here = at(kind, n, offset, false);
    Guarded<float> x(n, offset, kGuardFloat), y(n, offset, kGuardFloat);
    Values values(static_cast<uint64_t>(n * 13 + offset));
    values.fill(x.data(), n);
    std::vector<float> expected(n);
    const CentringConstants c{0.25f, 1e-9f, 1.7f};
    s.normalize_uniform_activated(x.data(), expected.data(), n, c, -1.5f, 0.3f, false, kind);
    v.normalize_uniform_activated(x.data(), y.data(), n, c, -1.5f, 0.3f, false, kind);
    compare(report, where(v, "normalize_uniform_activated", here), "y", y.data(), expected.data(), n, float_tolerance);
    check_guards(report, where(v, "normalize_uniform_activated", here), "y", y);

    const int64_t cols = n % 7 == 0 ? 7 : 16, rows = n / cols;
    std::vector<float> hi(cols + kColumnWrap), scale(cols + kColumnWrap), shift(cols + kColumnWrap);
    for (int64_t j = 0; j < cols + kColumnWrap; ++j) {
        hi[j] = 0.1f * static_cast<float>(j % cols);
        scale[j] = 1.0f + 0.05f * static_cast<float>(j % cols);
        shift[j] = 0.2f - 0.03f * static_cast<float>(j % cols);
    }
    s.normalize_columns_activated(x.data(), expected.data(), rows, cols, hi.data(), scale.data(), shift.data(), false,
                                  false, kind);
    v.normalize_columns_activated(x.data(), y.data(), rows, cols, hi.data(), scale.data(), shift.data(), false, false,
                                  kind);
    compare(report, where(v, "normalize_columns_activated", here), "y", y.data(), expected.data(), rows * cols,
            float_tolerance);
    check_guards(report, where(v, "normalize_columns_activated", here), "y", y);
}

double silu(double v) { return v / (1 + std::exp(-v)); }
double silu_derivative(double v) {
    const double s = 1 / (1 + std::exp(-v));
    return s * (1 + v * (1 - s));
}

}  // namespace

void test_activation_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    for (int kind : kKinds)
        for (int64_t n : segment_sizes())
            for (int64_t offset : offsets()) {
                test_activate(vector, scalar, report, kind, n, offset);
                test_normalize_activated(vector, scalar, report, kind, n, offset);
                for (bool in_place : {false, true}) test_gradients(vector, scalar, report, kind, n, offset, in_place);
            }
}

// The scalar silu and its gradient against double on 2^20 + 1 values in [-100, 100]: within 8 f32
// roundings of the result (the polynomial, the range reduction, 1 + e, the quotient), the
// gradient's bound growing with |pre| through its product pre * (1 - s); 1e-35 absolute covers
// the clamped e(t) below -87.
void test_activation_accuracy(const KernelTable &scalar, Report &report) {
    constexpr int64_t kSteps = int64_t{1} << 20;
    constexpr double kUnit = 0x1p-24;
    std::vector<float> v(kSteps + 1), y(kSteps + 1), dpre(kSteps + 1), ones(kSteps + 1, 1.0f);
    for (int64_t i = 0; i <= kSteps; ++i) v[i] = static_cast<float>(-100.0 + 200.0 * static_cast<double>(i) / kSteps);
    std::copy(v.begin(), v.end(), y.begin());
    scalar.activate(y.data(), kSteps + 1, NORM4J_ACTIVATION_SILU);
    const PreActivation identity{0.0f, 1.0f, 1.0f, 0.0f};
    scalar.activation_gradient_plane(v.data(), ones.data(), dpre.data(), kSteps + 1, identity, NORM4J_ACTIVATION_SILU);
    bool y_ok = true, d_ok = true;
    for (int64_t i = 0; i <= kSteps && (y_ok || d_ok); ++i) {
        const double e = silu(v[i]), d = silu_derivative(v[i]);
        if (y_ok && std::fabs(y[i] - e) > 8 * kUnit * std::fabs(e) + 1e-35) {
            y_ok = false;
            report.fail("scalar silu accuracy", "silu(" + std::to_string(v[i]) + ") = " + std::to_string(y[i]));
        }
        if (d_ok && std::fabs(dpre[i] - d) > 8 * kUnit * (1 + std::fabs(v[i])) + 1e-35) {
            d_ok = false;
            report.fail("scalar silu accuracy", "silu'(" + std::to_string(v[i]) + ") = " + std::to_string(dpre[i]));
        }
    }
    if (y_ok) report.passed();
    if (d_ok) report.passed();
}

}  // namespace norm4j::test
