// The row kernels for bf16 and f16 data (kernels.h: pivoted_sums_bf16 ... normalize_then_sums_f16),
// written once over the templates every kernel set defines before including this inside its
// namespace: pivoted_sums_stored, square_sum_stored, normalize_stored and
// normalize_then_sums_stored, each over the storage type of x (and y). No include guard, as for
// kernel_functions.h.

#define NORM4J_STORED_ROW_KERNELS(H)                                                                  \
    void pivoted_sums_##H(const H *x, int64_t n, double pivot, double *s1, double *s2) {              \
        pivoted_sums_stored(x, n, pivot, s1, s2);                                                     \
    }                                                                                                 \
    double square_sum_##H(const H *x, int64_t n) { return square_sum_stored(x, n); }                  \
    void normalize_##H(const H *x, H *y, int64_t n, const CentringConstants &c, const float *w,       \
                       const float *b) {                                                              \
        normalize_stored(x, y, n, c, w, b);                                                           \
    }                                                                                                 \
    void normalize_then_sums_##H(const H *x, H *y, int64_t n, const CentringConstants &c,             \
                                 const float *w, const float *b, const H *next, double pivot,         \
                                 double *s1, double *s2) {                                            \
        normalize_then_sums_stored(x, y, n, c, w, b, next, pivot, s1, s2);                            \
    }
NORM4J_STORED_ROW_KERNELS(bf16)
NORM4J_STORED_ROW_KERNELS(f16)
#undef NORM4J_STORED_ROW_KERNELS
