// The channels-last kernels of a table picked by the storage type of their data: one overload per
// type (f32, bf16, f16) of each, so that a pass written once over pointers of any of the three
// calls the table's entry for that type. The half-precision entries give the f32 entry's bits on
// the widened values, outputs rounded once (kernels.h).
#ifndef NORM4J_TYPED_COLUMN_KERNELS_H
#define NORM4J_TYPED_COLUMN_KERNELS_H

#include "../kernels.h"
#include "activation_pass.h"
#include "channel_constants.h"

namespace norm4j {

inline void column_pivoted_sums_of(const KernelTable &k, const float *x, int64_t rows, int64_t c, const float *pivot,
                                   double *s1, double *s2) {
    k.column_pivoted_sums(x, rows, c, pivot, s1, s2);
}
inline void column_pivoted_sums_of(const KernelTable &k, const bf16 *x, int64_t rows, int64_t c, const float *pivot,
                                   double *s1, double *s2) {
    k.column_pivoted_sums_bf16(x, rows, c, pivot, s1, s2);
}
inline void column_pivoted_sums_of(const KernelTable &k, const f16 *x, int64_t rows, int64_t c, const float *pivot,
                                   double *s1, double *s2) {
    k.column_pivoted_sums_f16(x, rows, c, pivot, s1, s2);
}

inline void column_backward_sums_of(const KernelTable &k, const float *x, const float *dy, int64_t rows, int64_t c,
                                    const float *mean, const float *rstd, double *sum_dy, double *sum_dy_xhat,
                                    bool from_memory) {
    k.column_backward_sums(x, dy, rows, c, mean, rstd, sum_dy, sum_dy_xhat, from_memory);
}
inline void column_backward_sums_of(const KernelTable &k, const bf16 *x, const bf16 *dy, int64_t rows, int64_t c,
                                    const float *mean, const float *rstd, double *sum_dy, double *sum_dy_xhat,
                                    bool from_memory) {
    k.column_backward_sums_bf16(x, dy, rows, c, mean, rstd, sum_dy, sum_dy_xhat, from_memory);
}
inline void column_backward_sums_of(const KernelTable &k, const f16 *x, const f16 *dy, int64_t rows, int64_t c,
                                    const float *mean, const float *rstd, double *sum_dy, double *sum_dy_xhat,
                                    bool from_memory) {
    k.column_backward_sums_f16(x, dy, rows, c, mean, rstd, sum_dy, sum_dy_xhat, from_memory);
}

// dx with every channel's constants in grad (wrapped), written around the caches or through them,
// x and dy prefetched where they come from memory.
inline void column_backward_dx_of(const KernelTable &k, const float *x, const float *dy, float *dx, int64_t rows,
                                  int64_t c, const ColumnGradient &g, bool around_caches, bool from_memory) {
    k.column_backward_dx(x, dy, dx, rows, c, g.mean.data(), g.rstd.data(), g.k_dy.data(), g.k_x.data(), g.k_0.data(),
                         around_caches, from_memory);
}
inline void column_backward_dx_of(const KernelTable &k, const bf16 *x, const bf16 *dy, bf16 *dx, int64_t rows,
                                  int64_t c, const ColumnGradient &g, bool around_caches, bool from_memory) {
    k.column_backward_dx_bf16(x, dy, dx, rows, c, g.mean.data(), g.rstd.data(), g.k_dy.data(), g.k_x.data(),
                              g.k_0.data(), around_caches, from_memory);
}
inline void column_backward_dx_of(const KernelTable &k, const f16 *x, const f16 *dy, f16 *dx, int64_t rows,
                                  int64_t c, const ColumnGradient &g, bool around_caches, bool from_memory) {
    k.column_backward_dx_f16(x, dy, dx, rows, c, g.mean.data(), g.rstd.data(), g.k_dy.data(), g.k_x.data(),
                             g.k_0.data(), around_caches, from_memory);
}

// normalize_columns_activated (activation_pass.h) by the storage type of x and y.
inline void normalize_columns_of(const KernelTable &k, const float *x, float *y, int64_t rows, int64_t c,
                                 const ColumnAffine &affine, bool from_memory, int activation) {
    normalize_columns_activated(k, x, y, rows, c, affine, from_memory, activation);
}
inline void normalize_columns_of(const KernelTable &k, const bf16 *x, bf16 *y, int64_t rows, int64_t c,
                                 const ColumnAffine &a, bool from_memory, int activation) {
    k.normalize_columns_activated_bf16(x, y, rows, c, a.hi.data(), a.scale.data(), a.shift.data(), from_memory,
                                       from_memory, activation);
}
inline void normalize_columns_of(const KernelTable &k, const f16 *x, f16 *y, int64_t rows, int64_t c,
                                 const ColumnAffine &a, bool from_memory, int activation) {
    k.normalize_columns_activated_f16(x, y, rows, c, a.hi.data(), a.scale.data(), a.shift.data(), from_memory,
                                      from_memory, activation);
}

// f(x, y) with x and y (stored as `type`, both of it) as pointers of that type.
template <typename F>
void with_stored_type(int type, const void *x, void *y, F f) {
    if (type == NORM4J_BF16) f(static_cast<const bf16 *>(x), static_cast<bf16 *>(y));
    else if (type == NORM4J_F16) f(static_cast<const f16 *>(x), static_cast<f16 *>(y));
    else f(static_cast<const float *>(x), static_cast<float *>(y));
}

}  // namespace norm4j

#endif
