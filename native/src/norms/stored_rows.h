// Rows stored as f32, bf16 or f16, as the rows forward sees them: the kernel table's row kernels
// for the type (kernels.h) and a row as f32 for the rare paths that need
// one (two-pass statistics, normalizing in double).
#ifndef NORM4J_STORED_ROWS_H
#define NORM4J_STORED_ROWS_H

#include <cstring>

#include "../kernels.h"

namespace norm4j {

template <typename T>
struct RowKernels {
    void (*pivoted_sums)(const T *, int64_t, double, double *, double *);
    double (*square_sum)(const T *, int64_t);
    void (*normalize)(const T *, T *, int64_t, const CentringConstants &, const float *, const float *);
    void (*normalize_then_sums)(const T *, T *, int64_t, const CentringConstants &, const float *, const float *,
                                const T *, double, double *, double *);
};

inline RowKernels<float> row_kernels(const KernelTable &k, const float *) {
    return {k.pivoted_sums, k.square_sum, k.normalize, k.normalize_then_sums};
}
inline RowKernels<bf16> row_kernels(const KernelTable &k, const bf16 *) {
    return {k.pivoted_sums_bf16, k.square_sum_bf16, k.normalize_bf16, k.normalize_then_sums_bf16};
}
inline RowKernels<f16> row_kernels(const KernelTable &k, const f16 *) {
    return {k.pivoted_sums_f16, k.square_sum_f16, k.normalize_f16, k.normalize_then_sums_f16};
}

// The n values of a row as f32: the row itself, or widened into `scratch`.
inline const float *row_floats(const KernelTable &, const float *row, int64_t, float *) { return row; }
inline const float *row_floats(const KernelTable &k, const bf16 *row, int64_t n, float *scratch) {
    k.bf16_to_floats(row, scratch, n);
    return scratch;
}
inline const float *row_floats(const KernelTable &k, const f16 *row, int64_t n, float *scratch) {
    k.f16_to_floats(row, scratch, n);
    return scratch;
}

// y[0, n) = the f32 values v rounded to y's type (v itself where y is v).
inline void store_row(const KernelTable &, const float *v, float *y, int64_t n) {
    if (v != y) std::memcpy(y, v, n * sizeof(float));
}
inline void store_row(const KernelTable &k, const float *v, bf16 *y, int64_t n) { k.floats_to_bf16(v, y, n); }
inline void store_row(const KernelTable &k, const float *v, f16 *y, int64_t n) { k.floats_to_f16(v, y, n); }

}  // namespace norm4j

#endif
