// AVX2 implementations of the kernel table's segment and column entries (kernels.h).
#ifndef NORM4J_SEGMENT_KERNELS_AVX2_H
#define NORM4J_SEGMENT_KERNELS_AVX2_H

#include "../kernels.h"
#include "simd_avx2.h"

namespace norm4j::avx2 {

double sum(const float *x, int64_t n);
double centred_square_sum(const float *x, int64_t n, double mean);
double square_sum(const float *x, int64_t n);
void normalize(const float *x, float *y, int64_t n, const CentringConstants &c, const float *w,
               const float *b);
void normalize_uniform(const float *x, float *y, int64_t n, const CentringConstants &c, float w,
                       float b);

void column_sums(const float *x, int64_t rows, int64_t cols, double *acc);
void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc);
void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *lo, const float *rstd, const float *w, const float *b);
void column_min_max(const float *x, int64_t rows, int64_t cols, float *mn, float *mx);
void scale_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *sub,
                   const float *scale, const float *add);

}  // namespace norm4j::avx2

#endif
