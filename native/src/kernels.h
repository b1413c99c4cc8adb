// The ISA-specific building blocks every norm is made of, and the table NATIVE dispatches
// through. Each ISA folder implements the same table; the norm families in norms/ are
// written once in terms of it, so a family never differs between ISAs in anything but speed
// and the last bits of rounding.
//
// Two memory shapes cover every norm and layout:
//  - segments: runs of contiguous floats (a layer norm row, an NCHW channel plane, an NCHW
//    group block);
//  - columns: per-channel work across rows of a channels-last matrix (NHWC, and NC with no
//    spatial extent), vectorised across channels.
// Sums are accumulated in double; see row_statistics.h for how outputs are formed.
#ifndef NORM4J_KERNELS_H
#define NORM4J_KERNELS_H

#include <cstdint>

#include "row_statistics.h"

namespace norm4j {

struct KernelTable {
    const char *name;

    // ---- segments -------------------------------------------------------------------------
    double (*sum)(const float *x, int64_t n);
    double (*centred_square_sum)(const float *x, int64_t n, double mean);
    double (*square_sum)(const float *x, int64_t n);
    // y[i] = ((x[i] - hi) - lo) * rstd, then * w[i] and + b[i] where given (may be null).
    void (*normalize)(const float *x, float *y, int64_t n, const CentringConstants &c,
                      const float *w, const float *b);
    // As normalize, with one weight and bias for the whole segment (1 and 0 when absent).
    void (*normalize_uniform)(const float *x, float *y, int64_t n, const CentringConstants &c,
                              float w, float b);

    // ---- columns of a row-major [rows, cols] matrix ---------------------------------------
    // acc[j] += sum over rows of x[r, j]
    void (*column_sums)(const float *x, int64_t rows, int64_t cols, double *acc);
    // acc[j] += sum over rows of (x[r, j] - mean[j])^2
    void (*column_centred_square_sums)(const float *x, int64_t rows, int64_t cols,
                                       const double *mean, double *acc);
    // y[r, j] = ((x[r, j] - hi[j]) - lo[j]) * rstd[j] * w[j] + b[j]  (w, b may be null)
    void (*normalize_columns)(const float *x, float *y, int64_t rows, int64_t cols,
                              const float *hi, const float *lo, const float *rstd,
                              const float *w, const float *b);
    // mn[j] = min(mn[j], x[r, j]), mx likewise; NaN values are skipped.
    void (*column_min_max)(const float *x, int64_t rows, int64_t cols, float *mn, float *mx);
    // y[r, j] = (x[r, j] - sub[j]) * scale[j] + add[j], each operation rounded (no fma).
    void (*scale_columns)(const float *x, float *y, int64_t rows, int64_t cols,
                          const float *sub, const float *scale, const float *add);
};

namespace scalar {
extern const KernelTable kTable;
}
namespace avx2 {
extern const KernelTable kTable;
}

// The table for the active ISA (see norm4j_isa_select).
const KernelTable &active_kernels();

}  // namespace norm4j

#endif
