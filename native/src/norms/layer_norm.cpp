// NATIVE layer norm and RMS norm over the rows of a [rows, cols] matrix: two passes over each
// row in double (sum, then centred squares), then one f32 pass that writes the output.
#include <cmath>

#include "../api_checks.h"
#include "../kernels.h"

extern "C" int norm4j_layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd) {
    const int status = norm4j::check_rows_call(x, y, rows, cols, eps, mean, rstd);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    const double n = static_cast<double>(cols);
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        const double m = k.sum(xr, cols) / n;
        const double var = k.centred_square_sum(xr, cols, m) / n;
        const norm4j::CentringConstants c = norm4j::centring_constants(m, var, eps);
        norm4j::store_statistics(mean, rstd, r, m, c);
        k.normalize(xr, y + r * cols, cols, c, weight, bias);
    }
    return NORM4J_OK;
}

extern "C" int norm4j_rms_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                       const float *weight, float eps, float *rstd) {
    // RMS norm saves only rstd: pass it as both statistics so the pairing check always holds.
    const int status = norm4j::check_rows_call(x, y, rows, cols, eps, rstd, rstd);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    const norm4j::KernelTable &k = norm4j::active_kernels();
    const double n = static_cast<double>(cols);
    for (int64_t r = 0; r < rows; ++r) {
        const float *xr = x + r * cols;
        // No centring: hi = lo = 0 makes (x - hi) - lo exactly x.
        const norm4j::CentringConstants c = norm4j::centring_constants(0.0, k.square_sum(xr, cols) / n, eps);
        if (rstd != nullptr) rstd[r] = c.rstd;
        k.normalize(xr, y + r * cols, cols, c, weight, nullptr);
    }
    return NORM4J_OK;
}
