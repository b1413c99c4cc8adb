// Portable layer norm: any x86-64, any arm64. Two passes over each row in double
// (sum, then centred sum of squares), then one f32 pass that writes the output.
#include "../kernels.h"
#include "../row_statistics.h"

namespace norm4j::scalar {

namespace {

// Four independent accumulators, combined in a fixed order: deterministic and
// short dependency chains.
double row_sum(const float *x, int64_t n) {
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

double row_centred_square_sum(const float *x, int64_t n, double mean) {
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        double d0 = x[i] - mean, d1 = x[i + 1] - mean, d2 = x[i + 2] - mean,
               d3 = x[i + 3] - mean;
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    for (; i < n; ++i) {
        double d = x[i] - mean;
        s0 += d * d;
    }
    return (s0 + s1) + (s2 + s3);
}

}  // namespace

void layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                        const float *weight, const float *bias, float eps, float *mean,
                        float *rstd) {
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        float *yr = y + r * cols;
        const double m = row_sum(xr, cols) / static_cast<double>(cols);
        const double var = row_centred_square_sum(xr, cols, m) / static_cast<double>(cols);
        const CentringConstants c = centring_constants(m, var, eps);
        store_statistics(mean, rstd, r, m, c);
        for (int64_t i = 0; i < cols; ++i) {
            float v = ((xr[i] - c.mean_hi) - c.mean_lo) * c.rstd;
            if (weight != nullptr) v *= weight[i];
            if (bias != nullptr) v += bias[i];
            yr[i] = v;
        }
    }
}

}  // namespace norm4j::scalar
