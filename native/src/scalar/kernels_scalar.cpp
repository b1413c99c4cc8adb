// Portable building blocks: plain loops, any x86-64 or arm64. Sums use four independent
// double accumulators combined in a fixed order (deterministic, short dependency chains).
#include "../kernels.h"

namespace norm4j::scalar {


namespace {

template <typename T>
double centred_square_sum_of(const T *x, int64_t n, double mean) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const double d0 = value_of(x[i]) - mean, d1 = value_of(x[i + 1]) - mean;
        const double d2 = value_of(x[i + 2]) - mean, d3 = value_of(x[i + 3]) - mean;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; ++i) {
        const double d = value_of(x[i]) - mean;
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

template <typename T>
double square_sum_stored(const T *x, int64_t n);

template <typename T>
void pivoted_sums_stored(const T *x, int64_t n, double pivot, double *s1, double *s2) {
    double a0 = 0, a1 = 0, q0 = 0, q1 = 0;
    int64_t i = 0;
    for (; i + 2 <= n; i += 2) {
        const double d0 = value_of(x[i]) - pivot, d1 = value_of(x[i + 1]) - pivot;
        a0 += d0;
        a1 += d1;
        q0 += d0 * d0;
        q1 += d1 * d1;
    }
    if (i < n) {
        const double d = value_of(x[i]) - pivot;
        a0 += d;
        q0 += d * d;
    }
    *s1 += a0 + a1;
    *s2 += q0 + q1;
}

template <typename T>
double square_sum_stored(const T *x, int64_t n) {
    return centred_square_sum_of(x, n, 0.0);
}

inline float centre(float x, const CentringConstants &c) { return ((x - c.mean_hi) - c.mean_lo) * c.rstd; }

template <typename T>
void normalize_stored(const T *x, T *y, int64_t n, const CentringConstants &c, const float *w, const float *b) {
    for (int64_t i = 0; i < n; ++i) {
        float v = centre(value_of(x[i]), c);
        if (w != nullptr) v *= w[i];
        if (b != nullptr) v += b[i];
        store_value(y + i, v);
    }
}

// normalize, then the sums of `next`: the scalar code has no latency to hide by fusing them.
template <typename T>
void normalize_then_sums_stored(const T *x, T *y, int64_t n, const CentringConstants &c, const float *w, const float *b,
                            const T *next, double pivot, double *s1, double *s2) {
    normalize_stored(x, y, n, c, w, b);
    if (s1 != nullptr) pivoted_sums_stored(next, n, pivot, s1, s2);
    else *s2 += centred_square_sum_of(next, n, pivot);
}

}  // namespace

double centred_square_sum(const float *x, int64_t n, double mean) { return centred_square_sum_of(x, n, mean); }

double sum(const float *x, int64_t n) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += x[i];
        s1 += x[i + 1];
        s2 += x[i + 2];
        s3 += x[i + 3];
    }
    for (; i < n; ++i) s0 += x[i];
    return (s0 + s1) + (s2 + s3);
}

double square_sum(const float *x, int64_t n) { return centred_square_sum(x, n, 0.0); }

void pivoted_sums(const float *x, int64_t n, double pivot, double *s1, double *s2) {
    pivoted_sums_stored(x, n, pivot, s1, s2);
}

void normalize(const float *x, float *y, int64_t n, const CentringConstants &c, const float *w,
               const float *b) {
    normalize_stored(x, y, n, c, w, b);
}

void normalize_then_sums(const float *x, float *y, int64_t n, const CentringConstants &c,
                         const float *w, const float *b, const float *next, double pivot, double *s1,
                         double *s2) {
    normalize_then_sums_stored(x, y, n, c, w, b, next, pivot, s1, s2);
}

#include "../stored_row_entry_points.h"

void normalize_uniform(const float *x, float *y, int64_t n, const CentringConstants &c, float w,
                       float b, bool /*around_caches*/) {
    for (int64_t i = 0; i < n; ++i) y[i] = centre(x[i], c) * w + b;
}

void column_sums(const float *x, int64_t rows, int64_t cols, double *acc) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) acc[j] += x[r * cols + j];
}

void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) {
            const double d = x[r * cols + j] - mean[j];
            acc[j] += d * d;
        }
}

namespace {

template <typename T>
void column_pivoted_sums_stored(const T *x, int64_t rows, int64_t cols, const float *pivot, double *s1, double *s2) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) {
            const double d = static_cast<double>(value_of(x[r * cols + j])) - pivot[j];
            s1[j] += d;
            s2[j] += d * d;
        }
}

template <typename T>
void column_backward_sums_stored(const T *x, const T *dy, int64_t rows, int64_t cols, const float *mean,
                                 const float *rstd, double *sum_dy, double *sum_dy_xhat, bool /*from_memory*/) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) {
            const double d = value_of(dy[r * cols + j]);
            sum_dy[j] += d;
            sum_dy_xhat[j] += d * ((static_cast<double>(value_of(x[r * cols + j])) - mean[j]) * rstd[j]);
        }
}

}  // namespace

#include "../stored_column_sum_entry_points.h"

void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *scale, const float *shift, bool /*around_caches*/,
                       bool /*from_memory*/) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) y[r * cols + j] = (x[r * cols + j] - hi[j]) * scale[j] + shift[j];
}

void column_min_max(const float *x, int64_t rows, int64_t cols, float *mn, float *mx) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j) {
            const float v = x[r * cols + j];
            if (v < mn[j]) mn[j] = v;  // comparisons with NaN are false: NaN is skipped
            if (v > mx[j]) mx[j] = v;
        }
}

void scale_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *sub,
                   const float *scale, const float *add) {
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < cols; ++j)
            y[r * cols + j] = (x[r * cols + j] - sub[j]) * scale[j] + add[j];
}

NORM4J_KERNEL_TABLE("scalar");

}  // namespace norm4j::scalar
