// The fused kernels an ISA without a fused pass builds from its own simpler ones (scalar, AVX2),
// so the composition is written once. Included inside an ISA's namespace, after
// kernel_functions.h has declared its functions, in one of that ISA's source files; no include
// guard, as for kernel_functions.h.

// normalize, then the sums of `next`: the same results as the fused pass (kernels.h).
void normalize_then_sums(const float *x, float *y, int64_t n, const CentringConstants &c,
                         const float *w, const float *b, const float *next, double pivot, double *s1,
                         double *s2) {
    normalize(x, y, n, c, w, b);
    if (s1 != nullptr) pivoted_sums(next, n, pivot, s1, s2);
    else *s2 += centred_square_sum(next, n, pivot);
}


// backward_sums row by row: the same results as the grouped pass (kernels.h).
void backward_sums_rows(const float *x, const float *dy, int64_t rows, int64_t n, int64_t stride,
                        const float *mean, const float *rstd, const float *w, double *sum_g,
                        double *sum_gxhat, double *dw, double *db, bool start) {
    for (int64_t r = 0; r < rows; ++r)
        backward_sums(x + r * stride, dy + r * stride, n, mean != nullptr ? mean[r] : 0.0f, rstd[r], w,
                      sum_g + r, sum_gxhat + r, dw, db, start && r == 0);
}
