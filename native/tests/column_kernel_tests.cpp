// The column kernels (channels-last sums, outputs, backward, min-max, scaling) of a vector kernel
// set against the scalar set, on [rows, cols] matrices whose column counts straddle one and two
// vectors, a four-vector panel, the narrow/wide switch and the column blocks of whole-vector rows.
#include "kernel_test_support.h"

namespace norm4j::test {

namespace {

std::string shape_text(int64_t rows, int64_t cols, int64_t offset) {
    return "rows=" + std::to_string(rows) + " cols=" + std::to_string(cols) + " offset=" + std::to_string(offset);
}

// Per-column constants as the channels-last outputs take them: cols values, then kColumnWrap more
// repeating them from the start.
std::vector<float> wrapped(Values &values, int64_t cols, float base, float spread) {
    std::vector<float> v(static_cast<size_t>(cols + kColumnWrap));
    for (int64_t j = 0; j < cols; ++j) v[j] = base + spread * values.next();
    for (int64_t j = cols; j < cols + kColumnWrap; ++j) v[j] = v[j % cols];
    return v;
}

void test_column_sums(const KernelTable &v, const KernelTable &s, Report &report, int64_t rows, int64_t cols,
                      int64_t offset) {
    const int64_t n = rows * cols;
    Guarded<float> x(n, offset, kGuardFloat);
    Values values(n * 5 + offset);
    values.fill(x.data(), n);
    const std::vector<float> pivot = wrapped(values, cols, 0.0f, 0.5f);
    const std::vector<double> mean(pivot.begin(), pivot.end());
    const std::string at = shape_text(rows, cols, offset);
    const auto tolerance = sum_tolerance(16.0 * rows);
    Guarded<double> a(cols, 0, kGuardDouble), b(cols, 0, kGuardDouble), e(cols, 0, kGuardDouble), f(cols, 0, kGuardDouble);
    auto reset = [&] {
        for (int64_t j = 0; j < cols; ++j) a.data()[j] = b.data()[j] = e.data()[j] = f.data()[j] = 0.25 * j;
    };
    reset();
    v.column_sums(x.data(), rows, cols, a.data());
    s.column_sums(x.data(), rows, cols, e.data());
    compare(report, where(v, "column_sums", at), "acc", a.data(), e.data(), cols, tolerance);
    reset();
    v.column_centred_square_sums(x.data(), rows, cols, mean.data(), a.data());
    s.column_centred_square_sums(x.data(), rows, cols, mean.data(), e.data());
    compare(report, where(v, "column_centred_square_sums", at), "acc", a.data(), e.data(), cols, tolerance);
    reset();
    v.column_pivoted_sums(x.data(), rows, cols, pivot.data(), a.data(), b.data());
    s.column_pivoted_sums(x.data(), rows, cols, pivot.data(), e.data(), f.data());
    compare(report, where(v, "column_pivoted_sums", at), "s1", a.data(), e.data(), cols, tolerance);
    compare(report, where(v, "column_pivoted_sums", at), "s2", b.data(), f.data(), cols, tolerance);
    check_guards(report, where(v, "column sums", at), "the sums", a);
    check_guards(report, where(v, "column sums", at), "the sums", b);
}

// normalize_columns and column_backward_dx, through the caches and around them, from memory or not.
void test_column_outputs(const KernelTable &v, const KernelTable &s, Report &report, int64_t rows, int64_t cols,
                         int64_t offset) {
    const int64_t n = rows * cols;
    Guarded<float> x(n, offset, kGuardFloat), dy(n, offset, kGuardFloat);
    Values values(n * 11 + offset);
    values.fill(x.data(), n);
    values.fill(dy.data(), n);
    const std::vector<float> hi = wrapped(values, cols, 0.0f, 0.5f), scale = wrapped(values, cols, 1.0f, 0.25f);
    const std::vector<float> shift = wrapped(values, cols, 0.0f, 1.0f), k_dy = wrapped(values, cols, 1.0f, 0.5f);
    const std::vector<float> k_x = wrapped(values, cols, 0.0f, 0.5f), k_0 = wrapped(values, cols, 0.0f, 0.25f);
    for (int form = 0; form < 4; ++form) {
        const bool around = form & 1, from_memory = form & 2;
        const std::string at = shape_text(rows, cols, offset) + (around ? " around the caches" : "") +
                               (from_memory ? " from memory" : "");
        Guarded<float> got(n, offset, kGuardFloat), expected(n, offset, kGuardFloat);
        v.normalize_columns(x.data(), got.data(), rows, cols, hi.data(), scale.data(), shift.data(), around,
                            from_memory);
        fence_stores();
        s.normalize_columns(x.data(), expected.data(), rows, cols, hi.data(), scale.data(), shift.data(), around,
                            from_memory);
        compare(report, where(v, "normalize_columns", at), "y", got.data(), expected.data(), n, float_tolerance);
        check_guards(report, where(v, "normalize_columns", at), "y", got);
        v.column_backward_dx(x.data(), dy.data(), got.data(), rows, cols, hi.data(), scale.data(), k_dy.data(),
                             k_x.data(), k_0.data(), around, from_memory);
        fence_stores();
        s.column_backward_dx(x.data(), dy.data(), expected.data(), rows, cols, hi.data(), scale.data(), k_dy.data(),
                             k_x.data(), k_0.data(), around, from_memory);
        compare(report, where(v, "column_backward_dx", at), "dx", got.data(), expected.data(), n, float_tolerance);
        check_guards(report, where(v, "column_backward_dx", at), "dx", got);
    }
}

void test_column_backward_sums(const KernelTable &v, const KernelTable &s, Report &report, int64_t rows,
                               int64_t cols, int64_t offset) {
    const int64_t n = rows * cols;
    Guarded<float> x(n, offset, kGuardFloat), dy(n, offset, kGuardFloat);
    Values values(n * 3 + offset);
    values.fill(x.data(), n);
    values.fill(dy.data(), n);
    const std::vector<float> mean = wrapped(values, cols, 0.0f, 0.5f), rstd = wrapped(values, cols, 1.0f, 0.25f);
    for (bool from_memory : {false, true}) {
        const std::string at = shape_text(rows, cols, offset) + (from_memory ? " from memory" : "");
        Guarded<double> d(cols, 0, kGuardDouble), g(cols, 0, kGuardDouble);
        std::vector<double> ed(cols, 0.5), eg(cols, 0.5);
        for (int64_t j = 0; j < cols; ++j) d.data()[j] = g.data()[j] = 0.5;
        v.column_backward_sums(x.data(), dy.data(), rows, cols, mean.data(), rstd.data(), d.data(), g.data(), from_memory);
        s.column_backward_sums(x.data(), dy.data(), rows, cols, mean.data(), rstd.data(), ed.data(), eg.data(), from_memory);
        compare(report, where(v, "column_backward_sums", at), "sum_dy", d.data(), ed.data(), cols, sum_tolerance(64.0 * rows));
        compare(report, where(v, "column_backward_sums", at), "sum_dy_xhat", g.data(), eg.data(), cols,
                sum_tolerance(64.0 * rows));
        check_guards(report, where(v, "column_backward_sums", at), "sum_dy", d);
        check_guards(report, where(v, "column_backward_sums", at), "sum_dy_xhat", g);
    }
}

// column_min_max (some values NaN, which are skipped) and scale_columns: the scalar code's bits.
void test_min_max_and_scale(const KernelTable &v, const KernelTable &s, Report &report, int64_t rows, int64_t cols,
                            int64_t offset) {
    const int64_t n = rows * cols;
    Guarded<float> x(n, offset, kGuardFloat);
    Values values(n * 19 + offset);
    values.fill(x.data(), n);
    for (int64_t i = 3; i < n; i += 7) x.data()[i] = std::nanf("");
    const std::string at = shape_text(rows, cols, offset);
    Guarded<float> mn(cols, 0, kGuardFloat), mx(cols, 0, kGuardFloat);
    std::vector<float> emn(cols, 0.5f), emx(cols, -0.5f);
    for (int64_t j = 0; j < cols; ++j) mn.data()[j] = 0.5f, mx.data()[j] = -0.5f;
    v.column_min_max(x.data(), rows, cols, mn.data(), mx.data());
    s.column_min_max(x.data(), rows, cols, emn.data(), emx.data());
    compare(report, where(v, "column_min_max", at), "min", mn.data(), emn.data(), cols, exact);
    compare(report, where(v, "column_min_max", at), "max", mx.data(), emx.data(), cols, exact);
    check_guards(report, where(v, "column_min_max", at), "min", mn);
    check_guards(report, where(v, "column_min_max", at), "max", mx);
    const std::vector<float> sub = wrapped(values, cols, 0.0f, 1.0f), scale = wrapped(values, cols, 1.0f, 0.5f);
    const std::vector<float> add = wrapped(values, cols, 0.0f, 1.0f);
    Guarded<float> got(n, offset, kGuardFloat), expected(n, offset, kGuardFloat);
    v.scale_columns(x.data(), got.data(), rows, cols, sub.data(), scale.data(), add.data());
    s.scale_columns(x.data(), expected.data(), rows, cols, sub.data(), scale.data(), add.data());
    compare(report, where(v, "scale_columns", at), "y", got.data(), expected.data(), n, exact);
    check_guards(report, where(v, "scale_columns", at), "y", got);
}

// The channels-last kernels of one storage type, by the type.
template <typename H>
struct StoredColumnKernels;
template <>
struct StoredColumnKernels<bf16> {
    static constexpr const char *name = "bf16";
    static constexpr auto pivoted = &KernelTable::column_pivoted_sums_bf16;
    static constexpr auto backward_sums = &KernelTable::column_backward_sums_bf16;
    static constexpr auto backward_dx = &KernelTable::column_backward_dx_bf16;
    static constexpr auto normalize = &KernelTable::normalize_columns_activated_bf16;
    static bf16 round(float v) { return round_to_bf16(v); }
};
template <>
struct StoredColumnKernels<f16> {
    static constexpr const char *name = "f16";
    static constexpr auto pivoted = &KernelTable::column_pivoted_sums_f16;
    static constexpr auto backward_sums = &KernelTable::column_backward_sums_f16;
    static constexpr auto backward_dx = &KernelTable::column_backward_dx_f16;
    static constexpr auto normalize = &KernelTable::normalize_columns_activated_f16;
    static f16 round(float v) { return round_to_f16(v); }
};

// The channels-last kernels on bf16 (f16) data against the same table's f32 kernels on the
// widened values, outputs rounded: the same bits, sums and outputs, the outputs through the caches
// and around them, in place too, normalize_columns_activated with and without an activation.
template <typename H>
void test_stored_columns(const KernelTable &k, Report &report, int64_t rows, int64_t cols, int64_t offset) {
    using K = StoredColumnKernels<H>;
    const int64_t n = rows * cols;
    Values values(n * 17 + offset);
    Guarded<H> x(n, offset, H{0xbeef}), dy(n, offset, H{0xbeef});
    Guarded<float> wide(n, offset, kGuardFloat), wide_dy(n, offset, kGuardFloat);
    for (int64_t i = 0; i < n; ++i) {
        x.data()[i] = K::round(4.0f * values.next());
        dy.data()[i] = K::round(values.next());
        wide.data()[i] = widen(x.data()[i]);
        wide_dy.data()[i] = widen(dy.data()[i]);
    }
    const std::vector<float> hi = wrapped(values, cols, 0.0f, 0.5f), scale = wrapped(values, cols, 1.0f, 0.75f),
                             shift = wrapped(values, cols, 0.0f, 0.25f), k_dy = wrapped(values, cols, 1.0f, 0.5f);
    const std::string shape = std::string(K::name) + " " + shape_text(rows, cols, offset);
    for (bool backward : {false, true}) {
        const char *kernel = backward ? "column_backward_sums (stored)" : "column_pivoted_sums (stored)";
        Guarded<double> s1(cols, 0, kGuardDouble), s2(cols, 0, kGuardDouble);
        std::vector<double> e1(cols), e2(cols);
        for (int64_t j = 0; j < cols; ++j) s1.data()[j] = s2.data()[j] = e1[j] = e2[j] = 0.25 * j;
        if (backward) {
            (k.*K::backward_sums)(x.data(), dy.data(), rows, cols, hi.data(), scale.data(), s1.data(), s2.data(), true);
            k.column_backward_sums(wide.data(), wide_dy.data(), rows, cols, hi.data(), scale.data(), e1.data(),
                                   e2.data(), true);
        } else {
            (k.*K::pivoted)(x.data(), rows, cols, hi.data(), s1.data(), s2.data());
            k.column_pivoted_sums(wide.data(), rows, cols, hi.data(), e1.data(), e2.data());
        }
        same_bits(report, where(k, kernel, shape), "s1", s1.data(), e1.data(), cols);
        same_bits(report, where(k, kernel, shape), "s2", s2.data(), e2.data(), cols);
        check_guards(report, where(k, kernel, shape), "s1", s1);
        check_guards(report, where(k, kernel, shape), "s2", s2);
    }
    auto check_output = [&](const char *kernel, const std::string &at, Guarded<H> &got, const float *y) {
        std::vector<H> expected(n);
        for (int64_t i = 0; i < n; ++i) expected[i] = K::round(y[i]);
        same_bits(report, where(k, kernel, at), "y", got.data(), expected.data(), n);
        check_guards(report, where(k, kernel, at), "y", got);
    };
    for (int form = 0; form < 8; ++form) {
        const bool around = form & 1, from_memory = form & 2, in_place = form & 4;
        const std::string at = shape + (around ? " around the caches" : "") + (from_memory ? " from memory" : "") +
                               (in_place ? " in place" : "");
        for (int kind : {NORM4J_ACTIVATION_NONE, NORM4J_ACTIVATION_RELU, NORM4J_ACTIVATION_SILU}) {
            Guarded<H> got(n, offset, H{0xbeef});
            Guarded<float> y(n, offset, kGuardFloat);
            std::copy(x.data(), x.data() + n, got.data());
            (k.*K::normalize)(in_place ? got.data() : x.data(), got.data(), rows, cols, hi.data(), scale.data(),
                              shift.data(), around, from_memory, kind);
            if (kind == NORM4J_ACTIVATION_NONE)
                k.normalize_columns(wide.data(), y.data(), rows, cols, hi.data(), scale.data(), shift.data(), false,
                                    false);
            else
                k.normalize_columns_activated(wide.data(), y.data(), rows, cols, hi.data(), scale.data(),
                                              shift.data(), false, false, kind);
            fence_stores();
            check_output("normalize_columns_activated (stored)", at + " kind=" + std::to_string(kind), got, y.data());
        }
        Guarded<H> got(n, offset, H{0xbeef});
        Guarded<float> dx(n, offset, kGuardFloat);
        std::copy(dy.data(), dy.data() + n, got.data());
        (k.*K::backward_dx)(x.data(), in_place ? got.data() : dy.data(), got.data(), rows, cols, hi.data(),
                            scale.data(), k_dy.data(), shift.data(), hi.data(), around, from_memory);
        k.column_backward_dx(wide.data(), wide_dy.data(), dx.data(), rows, cols, hi.data(), scale.data(), k_dy.data(),
                             shift.data(), hi.data(), false, false);
        fence_stores();
        check_output("column_backward_dx (stored)", at, got, dx.data());
    }
}

}  // namespace

void test_stored_column_kernels(const KernelTable &k, Report &report) {
    for (int64_t cols : {1, 7, 16, 17, 33, 64, 100, 1024})
        for (int64_t rows : {1, 5, 33})
            for (int64_t offset : offsets()) {
                test_stored_columns<bf16>(k, report, rows, cols, offset);
                test_stored_columns<f16>(k, report, rows, cols, offset);
            }
}

void test_column_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    for (int64_t cols : {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 48, 63, 64, 65, 100, 128, 257, 520, 1024})
        for (int64_t rows : {1, 2, 5, 33})
            for (int64_t offset : offsets()) {
                test_column_sums(vector, scalar, report, rows, cols, offset);
                test_column_outputs(vector, scalar, report, rows, cols, offset);
                test_column_backward_sums(vector, scalar, report, rows, cols, offset);
                test_min_max_and_scale(vector, scalar, report, rows, cols, offset);
            }
}

}  // namespace norm4j::test
