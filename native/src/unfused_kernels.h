// The kernel an ISA without a grouped pass builds from its own simpler ones (scalar, AVX2), so
// the composition is written once. Included inside an ISA's namespace, after
// kernel_functions.h has declared its functions, in one of that ISA's source files; no include
// guard, as for kernel_functions.h.

// backward_sums row by row: the same results as the grouped pass (kernels.h).
void backward_sums_rows(const float *x, const float *dy, int64_t rows, int64_t n, int64_t stride,
                        const float *mean, const float *rstd, const float *w, double *sum_g,
                        double *sum_gxhat, double *dw, double *db, bool start) {
    for (int64_t r = 0; r < rows; ++r)
        backward_sums(x + r * stride, dy + r * stride, n, mean != nullptr ? mean[r] : 0.0f, rstd[r], w,
                      sum_g + r, sum_gxhat + r, dw, db, start && r == 0);
}
