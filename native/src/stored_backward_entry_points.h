// The rows backward kernels for bf16 and f16 data (kernels.h: backward_sums_rows_bf16 ...
// backward_dx_f16), written once over the templates every kernel set defines before including
// this inside its namespace: backward_sums_rows_stored and backward_dx_stored, over the storage
// type of x, dy (and dx). No include guard, as for kernel_functions.h.

#define NORM4J_STORED_BACKWARD_KERNELS(H)                                                             \
    void backward_sums_rows_##H(const H *x, const H *dy, int64_t rows, int64_t n, int64_t stride,     \
                                const float *mean, const float *rstd, const float *w, double *sum_g,  \
                                double *sum_gxhat, double *dw, double *db, bool start) {              \
        backward_sums_rows_stored(x, dy, rows, n, stride, mean, rstd, w, sum_g, sum_gxhat, dw, db,    \
                                  start);                                                             \
    }                                                                                                 \
    void backward_dx_##H(const H *x, const H *dy, H *dx, int64_t n, float mean, float rstd,           \
                         const float *w, float w_uniform, float a, float b, bool around_caches) {     \
        backward_dx_stored(x, dy, dx, n, mean, rstd, w, w_uniform, a, b, around_caches);              \
    }
NORM4J_STORED_BACKWARD_KERNELS(bf16)
NORM4J_STORED_BACKWARD_KERNELS(f16)
#undef NORM4J_STORED_BACKWARD_KERNELS
