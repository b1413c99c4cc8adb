// The backward sums' entry points of a vector ISA, written once: they turn the run-time choices
// (weight? parameter gradients? first row of a sum?) and the row count into the ISA's template
// backward_sums_impl<kWeight, kParams, kStart, kRows>, taking kRowsAtOnce rows (the ISA's
// constant) per call of it; backward_row_sums is one row with its dw as floats. Included inside
// the ISA's namespace, after that template and constant, in its backward kernels' file; no
// include guard, as for kernel_functions.h.

namespace {

template <int kRows>
void backward_sums_rows_of(const float *x, const float *dy, int64_t stride, int64_t n, const float *mean,
                           const float *rstd, const float *w, double *sum_g, double *sum_gxhat, double *dw,
                           double *db, bool start) {
    with_flags(w != nullptr, dw != nullptr, [&](auto kw, auto kp) {
        if (start) backward_sums_impl<kw.value, kp.value, true, kRows>(x, dy, stride, n, mean, rstd, w, sum_g, sum_gxhat, dw, db);
        else backward_sums_impl<kw.value, kp.value, false, kRows>(x, dy, stride, n, mean, rstd, w, sum_g, sum_gxhat, dw, db);
    });
}

}  // namespace

void backward_sums(const float *x, const float *dy, int64_t n, float mean, float rstd,
                   const float *w, double *sum_g, double *sum_gxhat, double *dw, double *db,
                   bool start) {
    backward_sums_rows_of<1>(x, dy, 0, n, &mean, &rstd, w, sum_g, sum_gxhat, dw, db, start);
}

void backward_sums_rows(const float *x, const float *dy, int64_t rows, int64_t n, int64_t stride,
                        const float *mean, const float *rstd, const float *w, double *sum_g,
                        double *sum_gxhat, double *dw, double *db, bool start) {
    auto at = [&](auto rows_at_once, int64_t r) {
        backward_sums_rows_of<rows_at_once.value>(x + r * stride, dy + r * stride, stride, n,
                                                  mean != nullptr ? mean + r : nullptr, rstd + r, w, sum_g + r,
                                                  sum_gxhat + r, dw, db, start && r == 0);
    };
    int64_t r = 0;
    for (; r + kRowsAtOnce <= rows; r += kRowsAtOnce) at(std::integral_constant<int, kRowsAtOnce>{}, r);
    for (; r < rows; ++r) at(std::integral_constant<int, 1>{}, r);
}

void backward_row_sums(const float *x, const float *dy, int64_t n, float mean, float rstd, const float *w,
                       double *sum_g, double *sum_gxhat, float *dw) {
    with_flag(w != nullptr, [&](auto kw) {
        backward_sums_impl<kw.value, true, true, 1, float>(x, dy, 0, n, &mean, &rstd, w, sum_g, sum_gxhat, dw, nullptr);
    });
}
