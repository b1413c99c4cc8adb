// C entry point of NATIVE layer norm: check, then run the active ISA's kernel.
#include "api_checks.h"
#include "kernels.h"

extern "C" int norm4j_layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd) {
    const int status = norm4j::check_rows_call(x, y, rows, cols, eps, mean, rstd);
    if (status != NORM4J_OK || rows == 0 || cols == 0) return status;
    norm4j::active_kernels().layer_norm_forward(x, y, rows, cols, weight, bias, eps, mean, rstd);
    return NORM4J_OK;
}
