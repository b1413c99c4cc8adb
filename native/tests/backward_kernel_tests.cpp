// The backward kernels (segment sums, rows of sums, dx, store_as_floats) of a vector kernel set
// against the scalar set.
#include "kernel_test_support.h"

namespace norm4j::test {

namespace {

std::string size_text(int64_t n, int64_t offset) {
    return "n=" + std::to_string(n) + " offset=" + std::to_string(offset);
}

// Inputs of one backward call: x, dy and a weight for `rows` rows of n values, `stride` apart.
struct BackwardInputs {
    Guarded<float> x, dy, w;
    std::vector<float> mean, rstd;
    BackwardInputs(int64_t rows, int64_t n, int64_t stride, int64_t offset)
        : x(rows * stride, offset, kGuardFloat), dy(rows * stride, offset, kGuardFloat), w(n, offset, kGuardFloat) {
        Values values(rows * 1000 + n * 3 + offset);
        values.fill(x.data(), rows * stride);
        values.fill(dy.data(), rows * stride);
        values.fill(w.data(), n);
        for (int64_t r = 0; r < rows; ++r) {
            mean.push_back(0.25f * values.next());
            rstd.push_back(1.0f + 0.25f * values.next());
        }
    }
};

// backward_sums_rows (backward_sums where rows is 1): every row's sums, and dw and db added into
// (or, with start, set), with and without a weight, parameter gradients and means.
void test_backward_sums(const KernelTable &v, const KernelTable &s, Report &report, int64_t rows, int64_t n,
                        int64_t offset) {
    const int64_t stride = n + 3;
    BackwardInputs in(rows, n, stride, offset);
    for (int form = 0; form < 16; ++form) {
        const bool weight = form & 1, params = form & 2, start = form & 4, means = form & 8;
        const std::string at = size_text(n, offset) + " rows=" + std::to_string(rows) + (weight ? " weight" : "") +
                               (params ? " dw db" : "") + (start ? " start" : "") + (means ? "" : " no mean");
        const char *kernel = rows == 1 ? "backward_sums" : "backward_sums_rows";
        std::vector<double> g(rows, 0.5), gx(rows, 0.5), e(rows, 0.5), ex(rows, 0.5);
        Guarded<double> dw(n, offset, kGuardDouble), db(n, offset, kGuardDouble);
        Guarded<double> edw(n, offset, kGuardDouble), edb(n, offset, kGuardDouble);
        for (int64_t i = 0; i < n; ++i) dw.data()[i] = db.data()[i] = edw.data()[i] = edb.data()[i] = 0.5 + i;
        const float *wp = weight ? in.w.data() : nullptr, *mp = means ? in.mean.data() : nullptr;
        if (rows == 1 && means)
            v.backward_sums(in.x.data(), in.dy.data(), n, in.mean[0], in.rstd[0], wp, g.data(), gx.data(),
                            params ? dw.data() : nullptr, params ? db.data() : nullptr, start);
        else
            v.backward_sums_rows(in.x.data(), in.dy.data(), rows, n, stride, mp, in.rstd.data(), wp, g.data(),
                                 gx.data(), params ? dw.data() : nullptr, params ? db.data() : nullptr, start);
        s.backward_sums_rows(in.x.data(), in.dy.data(), rows, n, stride, mp, in.rstd.data(), wp, e.data(), ex.data(),
                             params ? edw.data() : nullptr, params ? edb.data() : nullptr, start);
        const auto tolerance = sum_tolerance(64.0 * n * rows);
        compare(report, where(v, kernel, at), "sum_g", g.data(), e.data(), rows, tolerance);
        compare(report, where(v, kernel, at), "sum_gxhat", gx.data(), ex.data(), rows, tolerance);
        compare(report, where(v, kernel, at), "dw", dw.data(), edw.data(), n, tolerance);
        compare(report, where(v, kernel, at), "db", db.data(), edb.data(), n, tolerance);
        check_guards(report, where(v, kernel, at), "dw", dw);
        check_guards(report, where(v, kernel, at), "db", db);
    }
}

void test_backward_row_sums(const KernelTable &v, const KernelTable &s, Report &report, int64_t n, int64_t offset) {
    BackwardInputs in(1, n, n, offset);
    for (bool weight : {false, true}) {
        const std::string at = size_text(n, offset) + (weight ? " weight" : "");
        double g = 0.5, gx = 0.5, e = 0.5, ex = 0.5;
        Guarded<float> dw(n, offset, kGuardFloat), edw(n, offset, kGuardFloat);
        const float *wp = weight ? in.w.data() : nullptr;
        v.backward_row_sums(in.x.data(), in.dy.data(), n, in.mean[0], in.rstd[0], wp, &g, &gx, dw.data());
        s.backward_row_sums(in.x.data(), in.dy.data(), n, in.mean[0], in.rstd[0], wp, &e, &ex, edw.data());
        compare(report, where(v, "backward_row_sums", at), "sum_g", &g, &e, 1, sum_tolerance(64.0 * n));
        compare(report, where(v, "backward_row_sums", at), "sum_gxhat", &gx, &ex, 1, sum_tolerance(64.0 * n));
        compare(report, where(v, "backward_row_sums", at), "dw", dw.data(), edw.data(), n, float_tolerance);
        check_guards(report, where(v, "backward_row_sums", at), "dw", dw);
    }
}

// dx with a weight or a uniform one, through the caches or around them, and in place over dy.
void test_backward_dx(const KernelTable &v, const KernelTable &s, Report &report, int64_t n, int64_t offset) {
    BackwardInputs in(1, n, n, offset);
    for (int form = 0; form < 8; ++form) {
        const bool weight = form & 1, around = form & 2, in_place = form & 4;
        const std::string at = size_text(n, offset) + (weight ? " weight" : " uniform weight") +
                               (around ? " around the caches" : "") + (in_place ? " in place" : "");
        Guarded<float> dx(n, offset, kGuardFloat), expected(n, offset, kGuardFloat);
        std::copy(in.dy.data(), in.dy.data() + n, dx.data());
        const float *wp = weight ? in.w.data() : nullptr;
        v.backward_dx(in.x.data(), in_place ? dx.data() : in.dy.data(), dx.data(), n, in.mean[0], in.rstd[0], wp,
                      0.875f, 0.1875f, -0.3125f, around);
        fence_stores();
        s.backward_dx(in.x.data(), in.dy.data(), expected.data(), n, in.mean[0], in.rstd[0], wp, 0.875f, 0.1875f,
                      -0.3125f, around);
        compare(report, where(v, "backward_dx", at), "dx", dx.data(), expected.data(), n, float_tolerance);
        check_guards(report, where(v, "backward_dx", at), "dx", dx);
    }
}

void test_store_as_floats(const KernelTable &v, const KernelTable &s, Report &report, int64_t n, int64_t offset) {
    Guarded<double> src(n, offset, kGuardDouble);
    Values values(n + offset);
    for (int64_t i = 0; i < n; ++i) src.data()[i] = values.next() * (1 + 0x1p-30 * values.next());
    Guarded<float> got(n, offset, kGuardFloat), expected(n, offset, kGuardFloat);
    v.store_as_floats(src.data(), got.data(), n);
    s.store_as_floats(src.data(), expected.data(), n);
    const std::string at = size_text(n, offset);
    compare(report, where(v, "store_as_floats", at), "dst", got.data(), expected.data(), n, exact);
    check_guards(report, where(v, "store_as_floats", at), "dst", got);
}

// The kernels for rows stored as H (backward_sums_rows_bf16 ... backward_dx_f16) against the f32
// kernels of the same set on the widened values, bit for bit: the sums exactly, dx rounded once.
template <typename H>
void test_stored_backward(const KernelTable &k, Report &report, int64_t rows, int64_t n, int64_t offset,
                          const char *type,
                          void (*KernelTable::*sums)(const H *, const H *, int64_t, int64_t, int64_t, const float *,
                                                     const float *, const float *, double *, double *, double *,
                                                     double *, bool),
                          void (*KernelTable::*dx_of)(const H *, const H *, H *, int64_t, float, float, const float *,
                                                      float, float, float, bool),
                          H (*round)(float)) {
    const int64_t stride = n + 3;
    BackwardInputs in(rows, n, stride, offset);
    Guarded<H> x(rows * stride, offset, H{0xbeef}), dy(rows * stride, offset, H{0xbeef});
    std::vector<float> wide_x(rows * stride), wide_dy(rows * stride);
    for (int64_t i = 0; i < rows * stride; ++i) {
        x.data()[i] = round(in.x.data()[i]);
        dy.data()[i] = round(in.dy.data()[i]);
        wide_x[i] = widen(x.data()[i]);
        wide_dy[i] = widen(dy.data()[i]);
    }
    for (int form = 0; form < 4; ++form) {
        const bool weight = form & 1, start = form & 2;
        const std::string at = std::string(type) + " " + size_text(n, offset) + " rows=" + std::to_string(rows) +
                               (weight ? " weight" : "") + (start ? " start" : "");
        const float *wp = weight ? in.w.data() : nullptr;
        std::vector<double> g(rows, 0.5), gx(rows, 0.5), e(rows, 0.5), ex(rows, 0.5);
        std::vector<double> dw(n, 0.5), db(n, 0.5), edw(n, 0.5), edb(n, 0.5);
        (k.*sums)(x.data(), dy.data(), rows, n, stride, in.mean.data(), in.rstd.data(), wp, g.data(), gx.data(),
                  dw.data(), db.data(), start);
        k.backward_sums_rows(wide_x.data(), wide_dy.data(), rows, n, stride, in.mean.data(), in.rstd.data(), wp,
                             e.data(), ex.data(), edw.data(), edb.data(), start);
        compare(report, where(k, "backward_sums_rows (stored)", at), "sum_g", g.data(), e.data(), rows, exact);
        compare(report, where(k, "backward_sums_rows (stored)", at), "sum_gxhat", gx.data(), ex.data(), rows, exact);
        compare(report, where(k, "backward_sums_rows (stored)", at), "dw", dw.data(), edw.data(), n, exact);
        compare(report, where(k, "backward_sums_rows (stored)", at), "db", db.data(), edb.data(), n, exact);
        // dx of the first row, in place over its dy when start is set.
        Guarded<H> dx(n, offset, H{0xbeef});
        std::copy(dy.data(), dy.data() + n, dx.data());
        std::vector<float> expected(n);
        (k.*dx_of)(x.data(), start ? dx.data() : dy.data(), dx.data(), n, in.mean[0], in.rstd[0], wp, 0.875f,
                   0.1875f, -0.3125f, false);
        k.backward_dx(wide_x.data(), wide_dy.data(), expected.data(), n, in.mean[0], in.rstd[0], wp, 0.875f, 0.1875f,
                      -0.3125f, false);
        std::vector<float> got(n), want(n);
        for (int64_t i = 0; i < n; ++i) {
            got[i] = widen(dx.data()[i]);
            want[i] = widen(round(expected[i]));
        }
        compare(report, where(k, "backward_dx (stored)", at), "dx", got.data(), want.data(), n, exact);
        check_guards(report, where(k, "backward_dx (stored)", at), "dx", dx);
    }
}

}  // namespace

void test_stored_backward_kernels(const KernelTable &k, Report &report) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets())
            for (int64_t rows : {1, 3}) {
                test_stored_backward<bf16>(k, report, rows, n, offset, "bf16", &KernelTable::backward_sums_rows_bf16,
                                           &KernelTable::backward_dx_bf16, round_to_bf16);
                test_stored_backward<f16>(k, report, rows, n, offset, "f16", &KernelTable::backward_sums_rows_f16,
                                          &KernelTable::backward_dx_f16, round_to_f16);
            }
}

void test_backward_kernels(const KernelTable &vector, const KernelTable &scalar, Report &report) {
    for (int64_t n : segment_sizes())
        for (int64_t offset : offsets()) {
            for (int64_t rows : {1, 2, 3, 5}) test_backward_sums(vector, scalar, report, rows, n, offset);
            test_backward_row_sums(vector, scalar, report, n, offset);
            test_backward_dx(vector, scalar, report, n, offset);
            test_store_as_floats(vector, scalar, report, n, offset);
        }
}

}  // namespace norm4j::test
