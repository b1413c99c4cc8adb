// Argument checks shared by the C entry points. The Java facade has already validated
// everything; these exist so a wrong call from C (or a facade bug) yields a status code
// and a reason instead of undefined behaviour.
#ifndef NORM4J_API_CHECKS_H
#define NORM4J_API_CHECKS_H

#include <cmath>
#include <cstdint>

#include "last_error.h"
#include "norm4j/norm4j.h"

namespace norm4j {

// NORM4J_OK when a [rows, cols] call is well formed. Empty shapes are valid: nothing to do.
inline int check_rows_call(const float *x, const float *y, int64_t rows, int64_t cols,
                           float eps, const float *mean, const float *rstd) {
    clear_last_error();
    if (rows < 0 || cols < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (!(eps >= 0.0f) || std::isinf(eps))  // NaN fails >=
        return fail(NORM4J_ERR_ARGUMENT, "eps must be finite and >= 0");
    if ((mean == nullptr) != (rstd == nullptr))
        return fail(NORM4J_ERR_ARGUMENT, "mean and rstd must be given together");
    if (rows == 0 || cols == 0) return NORM4J_OK;
    if (x == nullptr || y == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null x or y");
    if (rows > INT64_MAX / cols) return fail(NORM4J_ERR_ARGUMENT, "rows * cols overflows");
    return NORM4J_OK;
}

}  // namespace norm4j

#endif
