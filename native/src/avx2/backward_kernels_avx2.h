// AVX2 implementations of the kernel table's backward entries (kernels.h).
#ifndef NORM4J_BACKWARD_KERNELS_AVX2_H
#define NORM4J_BACKWARD_KERNELS_AVX2_H

#include "../kernels.h"

namespace norm4j::avx2 {

void backward_sums(const float *x, const float *dy, int64_t n, float mean, float rstd,
                   const float *w, double *sum_g, double *sum_gxhat);
void backward_dx(const float *x, const float *dy, float *dx, int64_t n, float mean, float rstd,
                 const float *w, float w_uniform, float a, float b);
void accumulate_param_grads(const float *x, const float *dy, int64_t n, float mean, float rstd,
                            double *dw, double *db);
void column_backward_sums(const float *x, const float *dy, int64_t rows, int64_t cols,
                          const float *mean, const float *rstd, double *sum_dy,
                          double *sum_dy_xhat);
void column_backward_dx(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols,
                        const float *mean, const float *rstd, const float *w, const float *a,
                        const float *b);

}  // namespace norm4j::avx2

#endif
