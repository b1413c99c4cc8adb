// Portable backward building blocks (see kernels.h): sums in double, dx in f32.
#include <algorithm>

#include "../kernels.h"
#include "../storage_types.h"

namespace norm4j::scalar {

namespace {

// A segment's backward sums (*sum_g += sum g, *sum_gxhat += sum g * xhat), handing each value's
// parameter-gradient terms to per_value(i, dy, dy * xhat).
template <typename T, typename PerValue>
void segment_sums(const T *x, const T *dy, int64_t n, float mean, float rstd, const float *w,
                  double *sum_g, double *sum_gxhat, PerValue per_value) {
    double sg = 0, sgx = 0;
    for (int64_t i = 0; i < n; ++i) {
        const double d = value_of(dy[i]);
        const double g = w != nullptr ? d * w[i] : d;
        const double xhat = (static_cast<double>(value_of(x[i])) - mean) * rstd;
        sg += g;
        sgx += g * xhat;
        per_value(i, d, d * xhat);
    }
    *sum_g += sg;
    *sum_gxhat += sgx;
}

template <typename T>
void backward_sums_of(const T *x, const T *dy, int64_t n, float mean, float rstd, const float *w, double *sum_g,
                      double *sum_gxhat, double *dw, double *db, bool start) {
    if (start) {  // the parameter sums start from zero (the vector kernels set them in their pass)
        if (dw != nullptr) std::fill(dw, dw + n, 0.0);
        if (db != nullptr) std::fill(db, db + n, 0.0);
    }
    segment_sums(x, dy, n, mean, rstd, w, sum_g, sum_gxhat, [&](int64_t i, double d, double term) {
        if (dw != nullptr) dw[i] += term;
        if (db != nullptr) db[i] += d;
    });
}

}  // namespace

void backward_sums(const float *x, const float *dy, int64_t n, float mean, float rstd,
                   const float *w, double *sum_g, double *sum_gxhat, double *dw, double *db,
                   bool start) {
    backward_sums_of(x, dy, n, mean, rstd, w, sum_g, sum_gxhat, dw, db, start);
}

void backward_row_sums(const float *x, const float *dy, int64_t n, float mean, float rstd, const float *w,
                       double *sum_g, double *sum_gxhat, float *dw) {
    segment_sums(x, dy, n, mean, rstd, w, sum_g, sum_gxhat,
                 [&](int64_t i, double, double term) { dw[i] = static_cast<float>(term); });
}

// Rows stored as T (f32, bf16 or f16): the f32 arithmetic on the widened values, dx rounded once.
template <typename T>
void backward_sums_rows_stored(const T *x, const T *dy, int64_t rows, int64_t n, int64_t stride, const float *mean,
                               const float *rstd, const float *w, double *sum_g, double *sum_gxhat, double *dw,
                               double *db, bool start) {
    for (int64_t r = 0; r < rows; ++r)
        backward_sums_of(x + r * stride, dy + r * stride, n, mean != nullptr ? mean[r] : 0.0f, rstd[r], w, sum_g + r,
                         sum_gxhat + r, dw, db, start && r == 0);
}

template <typename T>
void backward_dx_stored(const T *x, const T *dy, T *dx, int64_t n, float mean, float rstd, const float *w,
                        float w_uniform, float a, float b, bool /*around_caches*/) {
    for (int64_t i = 0; i < n; ++i) {
        const float g = value_of(dy[i]) * (w != nullptr ? w[i] : w_uniform);
        const float xhat = (value_of(x[i]) - mean) * rstd;
        store_value(dx + i, rstd * ((g - a) - xhat * b));
    }
}

void backward_dx(const float *x, const float *dy, float *dx, int64_t n, float mean, float rstd,
                 const float *w, float w_uniform, float a, float b, bool around_caches) {
    backward_dx_stored(x, dy, dx, n, mean, rstd, w, w_uniform, a, b, around_caches);
}

namespace {

template <typename T>
void column_backward_dx_stored(const T *x, const T *dy, T *dx, int64_t rows, int64_t cols, const float *mean,
                               const float *rstd, const float *k_dy, const float *k_x, const float *k_0) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) {
            const int64_t i = r * cols + j;
            store_value(dx + i, (value_of(x[i]) - mean[j]) * rstd[j] * k_x[j] + (value_of(dy[i]) * k_dy[j] + k_0[j]));
        }
}

}  // namespace

void column_backward_dx(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols,
                        const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                        const float *k_0, bool /*around_caches*/, bool /*from_memory*/) {
    column_backward_dx_stored(x, dy, dx, rows, cols, mean, rstd, k_dy, k_x, k_0);
}

void column_backward_dx_bf16(const bf16 *x, const bf16 *dy, bf16 *dx, int64_t rows, int64_t cols, const float *mean,
                             const float *rstd, const float *k_dy, const float *k_x, const float *k_0, bool, bool) {
    column_backward_dx_stored(x, dy, dx, rows, cols, mean, rstd, k_dy, k_x, k_0);
}

void column_backward_dx_f16(const f16 *x, const f16 *dy, f16 *dx, int64_t rows, int64_t cols, const float *mean,
                            const float *rstd, const float *k_dy, const float *k_x, const float *k_0, bool, bool) {
    column_backward_dx_stored(x, dy, dx, rows, cols, mean, rstd, k_dy, k_x, k_0);
}

void store_as_floats(const double *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<float>(src[i]);
}

// backward_sums row by row: the portable kernels keep no registers across rows.
void backward_sums_rows(const float *x, const float *dy, int64_t rows, int64_t n, int64_t stride,
                        const float *mean, const float *rstd, const float *w, double *sum_g,
                        double *sum_gxhat, double *dw, double *db, bool start) {
    backward_sums_rows_stored(x, dy, rows, n, stride, mean, rstd, w, sum_g, sum_gxhat, dw, db, start);
}

#include "../stored_backward_entry_points.h"

}  // namespace norm4j::scalar
