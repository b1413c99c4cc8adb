// Argument checks shared by the C entry points. The Java facade has already validated
// everything; these exist so a wrong call from C (or a facade bug) yields a status code
// and a reason instead of undefined behaviour.
#ifndef NORM4J_API_CHECKS_H
#define NORM4J_API_CHECKS_H

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "last_error.h"
#include "storage_runs.h"
#include "norm4j/norm4j.h"

namespace norm4j {

inline bool valid_eps(float eps) { return eps >= 0.0f && !std::isinf(eps); }  // NaN fails >=

inline int invalid_eps(float eps) {
    char reason[64];
    std::snprintf(reason, sizeof reason, "eps must be finite and >= 0, got %.9g", static_cast<double>(eps));
    return fail(NORM4J_ERR_ARGUMENT, reason);
}

// a * b * c without overflow (all >= 0).
inline bool fits(int64_t a, int64_t b, int64_t c = 1) {
    if (a == 0 || b == 0 || c == 0) return true;
    return a <= INT64_MAX / b && a * b <= INT64_MAX / c;
}

// NORM4J_OK when mean and rstd are both given (training) or both null (inference).
inline int check_statistics_pair(const float *mean, const float *rstd) {
    if ((mean == nullptr) != (rstd == nullptr))
        return fail(NORM4J_ERR_ARGUMENT, "mean and rstd must be given together");
    return NORM4J_OK;
}

// NORM4J_OK when a [rows, cols] call is well formed. Empty shapes are valid: nothing to do.
inline int check_rows_call(const void *x, const void *y, int64_t rows, int64_t cols,
                           float eps) {
    clear_last_error();
    if (rows < 0 || cols < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (!valid_eps(eps)) return invalid_eps(eps);
    if (rows == 0 || cols == 0) return NORM4J_OK;
    if (x == nullptr || y == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null x or y");
    if (!fits(rows, cols)) return fail(NORM4J_ERR_ARGUMENT, "rows * cols overflows");
    return NORM4J_OK;
}

// NORM4J_OK when x and y's storage types are known ones (storage_runs.h).
inline int check_storage_types(int x_type, int y_type) {
    if (valid_storage_type(x_type) && valid_storage_type(y_type)) return NORM4J_OK;
    return fail(NORM4J_ERR_ARGUMENT, "unknown storage type (x " + std::to_string(x_type) + ", y " +
                                         std::to_string(y_type) + "): NORM4J_F32, NORM4J_BF16 or NORM4J_F16");
}

// The storage types of a backward's x, dy and dx (clearing the last error first): each one of the
// three, the message naming x's and dx's, or dy's, as check_storage_types does.
inline int check_backward_storage_types(int x_type, int dy_type, int dx_type) {
    clear_last_error();
    const int status = check_storage_types(x_type, dx_type);
    return status == NORM4J_OK ? check_storage_types(dy_type, NORM4J_F32) : status;
}

// NORM4J_OK when an [n, c, s] call is well formed; *empty is set when there is nothing to do.
inline int check_channels_call(const void *x, const void *y, int64_t n, int64_t c, int64_t s,
                               int layout, float eps, const float *mean, const float *rstd,
                               bool *empty) {
    clear_last_error();
    if (n < 0 || c < 0 || s < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    if (layout != NORM4J_LAYOUT_NCHW && layout != NORM4J_LAYOUT_NHWC)
        return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    if (!valid_eps(eps)) return invalid_eps(eps);
    if (check_statistics_pair(mean, rstd) != NORM4J_OK) return NORM4J_ERR_ARGUMENT;
    *empty = n == 0 || c == 0 || s == 0;
    if (*empty) return NORM4J_OK;
    if (x == nullptr || y == nullptr) return fail(NORM4J_ERR_ARGUMENT, "null x or y");
    if (!fits(n, c, s)) return fail(NORM4J_ERR_ARGUMENT, "n * c * s overflows");
    return NORM4J_OK;
}

// Backward calls: sizes and the pointers every backward needs; statistics_given says whether
// the saved statistics the op uses (mean and rstd, or rstd alone for RMS norm) are there.
inline int check_backward_call(const void *x, const void *dy, const void *dx, int64_t a,
                               int64_t b, int64_t c, bool statistics_given, bool *empty) {
    clear_last_error();
    if (a < 0 || b < 0 || c < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    *empty = a == 0 || b == 0 || c == 0;
    if (*empty) return NORM4J_OK;
    if (x == nullptr || dy == nullptr || dx == nullptr)
        return fail(NORM4J_ERR_ARGUMENT, "null x, dy or dx");
    if (!statistics_given) return fail(NORM4J_ERR_ARGUMENT, "backward needs the saved statistics");
    if (!fits(a, b, c)) return fail(NORM4J_ERR_ARGUMENT, "size overflows");
    return NORM4J_OK;
}

// An activation on its own over n values (norm4j_activate and its backward): RELU or SILU and a
// size that is not negative; *empty where there is nothing to do.
inline int check_activation_call(int activation, int64_t n, bool *empty) {
    clear_last_error();
    if (activation != NORM4J_ACTIVATION_RELU && activation != NORM4J_ACTIVATION_SILU)
        return fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    if (n < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    *empty = n == 0;
    return NORM4J_OK;
}

// NORM4J_OK when a residual add of n values (norm4j_add, norm4j_onednn_add) is well formed;
// *empty is set when there is nothing to do.
inline int check_add_call(const void *x, int x_type, const void *residual, int residual_type, const void *h,
                          int h_type, int64_t n, bool *empty) {
    clear_last_error();
    if (n < 0) return fail(NORM4J_ERR_ARGUMENT, "negative size");
    int status = check_storage_types(x_type, h_type);
    if (status == NORM4J_OK) status = check_storage_types(residual_type, NORM4J_F32);
    if (status != NORM4J_OK) return status;
    *empty = n == 0;
    if (!*empty && (x == nullptr || residual == nullptr || h == nullptr))
        return fail(NORM4J_ERR_ARGUMENT, "null x, residual or h");
    return NORM4J_OK;
}

inline bool valid_layout(int layout) {
    return layout == NORM4J_LAYOUT_NCHW || layout == NORM4J_LAYOUT_NHWC;
}

}  // namespace norm4j

#endif
