// The channels-last sum kernels for f32, bf16 and f16 data (kernels.h: column_pivoted_sums,
// column_backward_sums and their _bf16 and _f16 twins), written once over the templates every
// kernel set defines before including this inside its namespace: column_pivoted_sums_stored and
// column_backward_sums_stored, over the storage type of x (and dy). No include guard, as for
// kernel_functions.h.

void column_pivoted_sums(const float *x, int64_t rows, int64_t cols, const float *pivot, double *s1, double *s2) {
    column_pivoted_sums_stored(x, rows, cols, pivot, s1, s2);
}
void column_backward_sums(const float *x, const float *dy, int64_t rows, int64_t cols, const float *mean,
                          const float *rstd, double *sum_dy, double *sum_dy_xhat, bool from_memory) {
    column_backward_sums_stored(x, dy, rows, cols, mean, rstd, sum_dy, sum_dy_xhat, from_memory);
}

#define NORM4J_STORED_COLUMN_SUM_KERNELS(H)                                                           \
    void column_pivoted_sums_##H(const H *x, int64_t rows, int64_t cols, const float *pivot,          \
                                 double *s1, double *s2) {                                            \
        column_pivoted_sums_stored(x, rows, cols, pivot, s1, s2);                                     \
    }                                                                                                 \
    void column_backward_sums_##H(const H *x, const H *dy, int64_t rows, int64_t cols,                \
                                  const float *mean, const float *rstd, double *sum_dy,               \
                                  double *sum_dy_xhat, bool from_memory) {                            \
        column_backward_sums_stored(x, dy, rows, cols, mean, rstd, sum_dy, sum_dy_xhat, from_memory); \
    }
NORM4J_STORED_COLUMN_SUM_KERNELS(bf16)
NORM4J_STORED_COLUMN_SUM_KERNELS(f16)
#undef NORM4J_STORED_COLUMN_SUM_KERNELS
