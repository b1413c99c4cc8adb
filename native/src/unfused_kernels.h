// The fused kernel an ISA without a fused pass builds from its own simpler ones (scalar, AVX2),
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

