/*
 * norm4j C ABI: the only surface Java binds.
 *
 * Plain C types and status codes only, so the binding stays a thin JNI crossing and the
 * library can be called from C as well. Callers (the Java facade) validate shapes, sizes
 * and pointers before calling; the functions here still refuse what would be undefined
 * behaviour (negative sizes, null pointers for non-empty data) with NORM4J_ERR_ARGUMENT,
 * so a bug in a caller surfaces as a status, not as a crash.
 */
#ifndef NORM4J_H
#define NORM4J_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define NORM4J_API __declspec(dllexport)
#else
#define NORM4J_API __attribute__((visibility("default")))
#endif

/* Status codes returned by every function below that can fail. */
#define NORM4J_OK 0
#define NORM4J_ERR_ARGUMENT 1     /* a size, pointer or eps the kernels cannot accept */
#define NORM4J_ERR_UNSUPPORTED 2  /* the backend cannot do this call */
#define NORM4J_ERR_BACKEND 3      /* the backend failed (oneDNN error, allocation failure) */

/* Memory layouts of [N, C, spatial...] tensors (batch, group and instance norm). */
#define NORM4J_LAYOUT_NCHW 0 /* channels first: [N][C][S] */
#define NORM4J_LAYOUT_NHWC 1 /* channels last:  [N][S][C] */

/* The activation a batch or group norm forward applies to its output (the fused norms). */
#define NORM4J_ACTIVATION_NONE 0
#define NORM4J_ACTIVATION_RELU 1
#define NORM4J_ACTIVATION_SILU 2

/* Storage types of a run of values (norm4j_convert). */
#define NORM4J_F32 0  /* IEEE binary32 */
#define NORM4J_BF16 1 /* bfloat16: the top 16 bits of a binary32 */
#define NORM4J_F16 2  /* IEEE binary16 */

/* Kernel sets NATIVE can dispatch to. */
#define NORM4J_ISA_SCALAR 0
#define NORM4J_ISA_AVX2 1
#define NORM4J_ISA_AVX512 2 /* AVX-512F with AVX2 and FMA */
#define NORM4J_ISA_AVX512_BF16 3 /* the AVX-512 set with AVX512_BF16, BW, VL and DQ as well */

/* ---- runtime information and control ---------------------------------------------- */

/* Best kernel set this CPU supports (NORM4J_ISA_*), from CPUID. */
NORM4J_API int norm4j_isa_detected(void);
/* Kernel set NATIVE currently dispatches to. */
NORM4J_API int norm4j_isa_active(void);
/* Force a kernel set; refuses (NORM4J_ERR_UNSUPPORTED) one the CPU lacks. */
NORM4J_API int norm4j_isa_select(int isa);
/* Threads NATIVE may use for a large call (small calls always stay on the calling thread).
 * 0 restores the default (the processor count). Results are the same for any thread count. */
NORM4J_API int norm4j_set_threads(int threads);
NORM4J_API int norm4j_threads(void);
/* CPU brand string from CPUID, "unknown" elsewhere. Static storage. */
NORM4J_API const char *norm4j_cpu_name(void);
/* The last-level cache one core can use, in bytes, as found once at load: NORM4J_LAST_LEVEL_CACHE
 * (bytes, or with a K/M/G suffix) where set, else the CPU's own description, else 32 MiB. Calls
 * whose data outgrow it write their outputs around the caches. */
NORM4J_API int64_t norm4j_last_level_cache_bytes(void);
/* Where that size came from ("sysfs", "cpuid", the variable's name, or the default). Static storage. */
NORM4J_API const char *norm4j_last_level_cache_source(void);
/* oneDNN's version as "major.minor.patch", or "" when built without oneDNN. Static storage. */
NORM4J_API const char *norm4j_onednn_version(void);
/* NORM4J_OK when oneDNN creates, on this CPU, every normalization primitive norm4j calls with all
 * data stored as type (NORM4J_F32, NORM4J_BF16, NORM4J_F16); else NORM4J_ERR_UNSUPPORTED, the
 * primitive it lacks in norm4j_last_error. The norm4j_onednn_* calls take their data (x, y, dy,
 * dx) as void pointers stored as the type passed beside each; a combination oneDNN has no
 * primitive for fails with NORM4J_ERR_UNSUPPORTED, naming the types, before anything is written. */
NORM4J_API int norm4j_onednn_takes_data_type(int type);
/* NORM4J_OK where oneDNN creates its binary add (norm4j_onednn_add) for x, residual and h stored
 * as type on this CPU; else NORM4J_ERR_UNSUPPORTED with oneDNN's reason in norm4j_last_error. */
NORM4J_API int norm4j_onednn_takes_add(int type);
/* Why the last failing call on this thread failed (empty when it gave no reason).
 * Thread-local storage, valid until the next call on the same thread. */
NORM4J_API const char *norm4j_last_error(void);

/* ---- storage conversion ------------------------------------------------------------------ */

/* dst[i] = src[i] converted from src_type to dst_type (NORM4J_F32, NORM4J_BF16, NORM4J_F16; one
 * of them f32, or both the same): widening exact, rounding IEEE round-to-nearest-even (f16 with
 * its subnormals, overflow to infinity; bf16 likewise; NaN stays NaN, quieted). The same bits on
 * every kernel set. Large runs use several threads. */
NORM4J_API int norm4j_convert(const void *src, int src_type, void *dst, int dst_type, int64_t n);

/* ---- layer norm ------------------------------------------------------------------------ */

/*
 * Layer norm over rows of a contiguous [rows, cols] f32 matrix:
 *   y[r, c] = (x[r, c] - mean_r) * rstd_r * weight[c] + bias[c],  rstd_r = 1 / sqrt(var_r + eps)
 * with the biased variance. weight and bias may each be null (meaning 1 and 0).
 * mean and rstd may be null (inference); when given, they receive the per-row statistics
 * (training); give both or neither. y may equal x (in place).
 */
NORM4J_API int norm4j_layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd);
/* The same with x and y stored as x_type and y_type (NORM4J_F32, NORM4J_BF16, NORM4J_F16): the f32
 * call's result on the exactly widened x, each output rounded once to y_type; weight, bias, mean
 * and rstd stay f32. */
NORM4J_API int norm4j_layer_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t rows,
                                                int64_t cols, const float *weight, const float *bias, float eps,
                                                float *mean, float *rstd);

/* The same computation through oneDNN's layer normalization primitive. */
NORM4J_API int norm4j_onednn_layer_norm_forward(const void *x, int x_type, void *y, int y_type,
                                                int64_t rows, int64_t cols, const float *weight,
                                                const float *bias, float eps, float *mean,
                                                float *rstd);

/* ---- RMS norm ---------------------------------------------------------------------------- */

/*
 * RMS norm over rows of a [rows, cols] matrix: y = x * rstd * weight, rstd = 1 / sqrt(mean(x^2) + eps).
 * weight may be null. rstd may be null (inference) or receive one value per row (training).
 */
NORM4J_API int norm4j_rms_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                                       const float *weight, float eps, float *rstd);
/* The same with stored types, as norm4j_layer_norm_forward_stored. */
NORM4J_API int norm4j_rms_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t rows,
                                              int64_t cols, const float *weight, float eps, float *rstd);
NORM4J_API int norm4j_onednn_rms_norm_forward(const void *x, int x_type, void *y, int y_type,
                                              int64_t rows, int64_t cols, const float *weight,
                                              float eps, float *rstd);

/* ---- residual add fused with layer norm or RMS norm ------------------------------------------ */

/*
 * h = x + residual (each value added in f32 and rounded once to h_type), then y = the layer norm
 * (RMS norm) of h as stored, as norm4j_layer_norm_forward_stored (norm4j_rms_norm_forward_stored)
 * computes it: the same bits as the add followed by that call, in one pass over memory. h may be
 * x or residual, y may be x or residual (in place), y must not overlap h. Every array stored as its
 * type (NORM4J_F32, NORM4J_BF16, NORM4J_F16); weight, bias, mean and rstd f32.
 */
/* h[i] = x[i] + residual[i] for n values, added in f32 and rounded once to h_type: the residual add
 * on its own, as the fused calls below form it. h may be x or residual. */
NORM4J_API int norm4j_add(const void *x, int x_type, const void *residual, int residual_type, void *h, int h_type,
                          int64_t n);
/* The same through oneDNN's binary primitive (binary_add, oneDNN's own arithmetic and rounding);
 * NORM4J_ERR_UNSUPPORTED where oneDNN has no binary add for these types on this CPU. */
NORM4J_API int norm4j_onednn_add(const void *x, int x_type, const void *residual, int residual_type, void *h,
                                 int h_type, int64_t n);
NORM4J_API int norm4j_add_layer_norm_forward(const void *x, int x_type, const void *residual, int residual_type,
                                             void *h, int h_type, void *y, int y_type, int64_t rows, int64_t cols,
                                             const float *weight, const float *bias, float eps, float *mean,
                                             float *rstd);
NORM4J_API int norm4j_add_rms_norm_forward(const void *x, int x_type, const void *residual, int residual_type, void *h,
                                           int h_type, void *y, int y_type, int64_t rows, int64_t cols,
                                           const float *weight, float eps, float *rstd);

/* ---- batch norm ------------------------------------------------------------------------- */

/*
 * Batch norm of x, logically [n, c, s] (s = product of the spatial sizes, 1 for [N, C] input),
 * stored in layout (NORM4J_LAYOUT_*). Statistics are per channel over n * s values.
 * Training (mean and rstd given): batch mean and biased variance; writes mean, rstd and, when
 * var is not null, the biased variance (for the caller's running-statistics update).
 * Inference (mean and rstd null): uses running_mean and running_var, which must be given.
 * weight and bias (per channel) may be null. activation (NORM4J_ACTIVATION_*) is applied to
 * the normalized output before it is stored (the fused batch_norm_relu).
 */
NORM4J_API int norm4j_batch_norm_forward(const float *x, float *y, int64_t n, int64_t c,
                                         int64_t s, int layout, const float *weight,
                                         const float *bias, float eps,
                                         const float *running_mean, const float *running_var,
                                         float *mean, float *rstd, float *var, int activation);
NORM4J_API int norm4j_onednn_batch_norm_forward(const void *x, int x_type, void *y, int y_type,
                                                int64_t n, int64_t c,
                                                int64_t s, int layout, const float *weight,
                                                const float *bias, float eps,
                                                const float *running_mean,
                                                const float *running_var, float *mean,
                                                float *rstd, float *var, int activation);

/* The same with x and y stored as x_type and y_type (NORM4J_F32, BF16, F16): the f32 call's result
 * on the exactly widened x, each output rounded once to y_type. */
NORM4J_API int norm4j_batch_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t n, int64_t c,
                                                int64_t s, int layout, const float *weight, const float *bias,
                                                float eps, const float *running_mean, const float *running_var,
                                                float *mean, float *rstd, float *var, int activation);

/* ---- group norm (and instance norm: groups = c) ------------------------------------------ */

/*
 * Group norm of x, logically [n, c, s], stored in layout. Statistics per (sample, group) over
 * c / groups channels times s values; weight and bias per channel (may be null).
 * mean and rstd: null (inference) or [n, groups] (training); var likewise, optional.
 * activation (NORM4J_ACTIVATION_*) is applied to the normalized output before it is stored
 * (the fused group_norm_silu).
 */
NORM4J_API int norm4j_group_norm_forward(const float *x, float *y, int64_t n, int64_t c,
                                         int64_t s, int64_t groups, int layout,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd, float *var, int activation);
/* The same with x and y stored as x_type and y_type, as norm4j_batch_norm_forward_stored. */
NORM4J_API int norm4j_group_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t n, int64_t c,
                                                int64_t s, int64_t groups, int layout, const float *weight,
                                                const float *bias, float eps, float *mean, float *rstd, float *var,
                                                int activation);
NORM4J_API int norm4j_onednn_group_norm_forward(const void *x, int x_type, void *y, int y_type,
                                                int64_t n, int64_t c,
                                                int64_t s, int64_t groups, int layout,
                                                const float *weight, const float *bias,
                                                float eps, float *mean, float *rstd,
                                                float *var, int activation);

/* ---- backward ------------------------------------------------------------------------------
 *
 * Gradients of the forward functions above given dy, the input x and the statistics the
 * forward saved (mean and rstd; not recomputed). dx may equal dy. dweight and dbias, when not
 * null, receive the parameter gradients (sums of dy * xhat and of dy); they are computed
 * whether or not a weight is given. weight null means 1.
 */

/* Layer norm over [rows, cols]; mean and rstd have one value per row. */
NORM4J_API int norm4j_layer_norm_backward(const float *x, const float *dy, float *dx, int64_t rows,
                                          int64_t cols, const float *weight, const float *mean,
                                          const float *rstd, float *dweight, float *dbias);
/* The same with x, dy and dx stored as x_type, dy_type and dx_type (NORM4J_F32, BF16, F16): the f32
 * call's result on the exactly widened x and dy, dx rounded once to dx_type. */
NORM4J_API int norm4j_layer_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                                 int dx_type, int64_t rows, int64_t cols, const float *weight,
                                                 const float *mean, const float *rstd, float *dweight, float *dbias);
NORM4J_API int norm4j_onednn_layer_norm_backward(const void *x, int x_type, const void *dy,
                                                 int dy_type, void *dx, int dx_type,
                                                 int64_t rows, int64_t cols,
                                                 const float *weight, const float *mean,
                                                 const float *rstd, float *dweight,
                                                 float *dbias);

/* RMS norm over [rows, cols]; rstd has one value per row. There is no oneDNN version: its
 * rms_norm backward (3.13) adds the layer norm centring term that RMS norm does not have. */
NORM4J_API int norm4j_rms_norm_backward(const float *x, const float *dy, float *dx, int64_t rows,
                                        int64_t cols, const float *weight, const float *rstd,
                                        float *dweight);
/* The same with stored types, as norm4j_layer_norm_backward_stored. */
NORM4J_API int norm4j_rms_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                               int dx_type, int64_t rows, int64_t cols, const float *weight,
                                               const float *rstd, float *dweight);

/* The backward of the residual add fused with layer norm (RMS norm), given the h its forward wrote
 * and dh, the gradient arriving on h from later (null for none): dx = the f32 dx of
 * norm4j_layer_norm_backward_stored (norm4j_rms_norm_backward_stored) on h, plus dh, in f32,
 * rounded once to dx_type; it is the gradient of x and of residual alike. dx may be dy or dh. */
NORM4J_API int norm4j_add_layer_norm_backward(const void *h, int h_type, const void *dy, int dy_type, const void *dh,
                                              int dh_type, void *dx, int dx_type, int64_t rows, int64_t cols,
                                              const float *weight, const float *mean, const float *rstd,
                                              float *dweight, float *dbias);
NORM4J_API int norm4j_add_rms_norm_backward(const void *h, int h_type, const void *dy, int dy_type, const void *dh,
                                            int dh_type, void *dx, int dx_type, int64_t rows, int64_t cols,
                                            const float *weight, const float *rstd, float *dweight);

/*
 * Batch norm over [n, c, s]; mean and rstd per channel. batch_statistics = 1: they are the
 * batch's own (training), so dx includes their dependence on x; 0: they are constants
 * (running statistics), dx = dy * weight * rstd. With an activation (NORM4J_ACTIVATION_*; bias the
 * forward's, may be null) it is the fused batch_norm_relu's: dy is first multiplied by the
 * activation's derivative at the pre-activation recomputed from x.
 */
NORM4J_API int norm4j_batch_norm_backward(const float *x, const float *dy, float *dx, int64_t n,
                                          int64_t c, int64_t s, int layout,
                                          const float *weight, const float *bias, const float *mean,
                                          const float *rstd, int batch_statistics,
                                          float *dweight, float *dbias, int activation);
/* The same with x, dy and dx stored as x_type, dy_type and dx_type: the f32 call's result on the
 * exactly widened x and dy, dx rounded once to dx_type. */
NORM4J_API int norm4j_batch_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                                 int dx_type, int64_t n, int64_t c, int64_t s, int layout,
                                                 const float *weight, const float *bias, const float *mean,
                                                 const float *rstd, int batch_statistics, float *dweight, float *dbias,
                                                 int activation);
NORM4J_API int norm4j_onednn_batch_norm_backward(const void *x, int x_type, const void *dy,
                                                 int dy_type, void *dx, int dx_type, int64_t n, int64_t c, int64_t s, int layout,
                                                 const float *weight, const float *mean,
                                                 const float *rstd, int batch_statistics,
                                                 float *dweight, float *dbias);

/* Group norm (instance norm: groups = c) over [n, c, s]; mean and rstd are [n, groups]. */
/* y = activation(x) (NORM4J_ACTIVATION_RELU or _SILU) for n values; y may be x. */
NORM4J_API int norm4j_activate(const float *x, float *y, int64_t n, int activation);
NORM4J_API int norm4j_onednn_activate(const float *x, float *y, int64_t n, int activation);

/* dpre = dy * activation'(pre) for n values, pre the activation's stored input; dpre may be dy. */
NORM4J_API int norm4j_activation_backward(const float *pre, const float *dy, float *dpre, int64_t n, int activation);

/*
 * The first step of a fused norm's backward: dpre = dy * activation'(pre) with the
 * pre-activation pre = (x - mean) * rstd * w + b recomputed from x (logically [n, c, s] in
 * layout) and the saved statistics: per channel ([c]) when groups is 0 (batch norm), else per
 * sample and group ([n, groups]). weight and bias may be null; dpre may be dy. The norm's
 * backward then takes dpre as its dy.
 */
NORM4J_API int norm4j_activation_gradient(const float *x, const float *dy, float *dpre, int64_t n, int64_t c,
                                          int64_t s, int64_t groups, int layout, const float *weight,
                                          const float *bias, const float *mean, const float *rstd,
                                          int activation);
/*
 * Group norm backward; with an activation (NORM4J_ACTIVATION_*; bias the forward's, may be null)
 * it is the fused group_norm_silu's: dy is first multiplied by the activation's derivative at the
 * pre-activation recomputed from x, group by group in scratch.
 */
NORM4J_API int norm4j_group_norm_backward(const float *x, const float *dy, float *dx, int64_t n,
                                          int64_t c, int64_t s, int64_t groups, int layout,
                                          const float *weight, const float *bias, const float *mean,
                                          const float *rstd, float *dweight, float *dbias, int activation);
/* The same with x, dy and dx stored as x_type, dy_type and dx_type: the f32 call's result on the
 * exactly widened x and dy, dx rounded once to dx_type. */
NORM4J_API int norm4j_group_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                                 int dx_type, int64_t n, int64_t c, int64_t s, int64_t groups,
                                                 int layout, const float *weight, const float *bias, const float *mean,
                                                 const float *rstd, float *dweight, float *dbias, int activation);
NORM4J_API int norm4j_onednn_group_norm_backward(const void *x, int x_type, const void *dy,
                                                 int dy_type, void *dx, int dx_type, int64_t n, int64_t c, int64_t s,
                                                 int64_t groups, int layout,
                                                 const float *weight, const float *mean,
                                                 const float *rstd, float *dweight,
                                                 float *dbias);

/* ---- batch norm in phases (one batch spread over processes) ------------------------------
 *
 * The phases of batch norm for a batch whose shards live in different processes, as PyTorch's
 * SyncBatchNorm runs them: each process's moments, merged by the caller (Chan et al.'s update);
 * normalization with the merged ones; then the backward's local sums, added by the caller, and dx
 * from the total. x, dy and dx are a shard, logically [n, c, s] in layout. Statistics cross as
 * doubles: mean and var (biased) per channel, as merged; the f32 mean the kernels centre with and
 * its rounding are taken from them as the single-process calls take theirs, so the result is the
 * single-process call's on the whole batch.
 */

/* Per channel: mean and m2 (sum of squared deviations from the mean) over this shard's n * s
 * values, in double. An empty shard gives 0 and 0. */
NORM4J_API int norm4j_batch_norm_moments(const float *x, int64_t n, int64_t c, int64_t s, int layout, double *mean,
                                         double *m2);
/* y = (x - mean) / sqrt(var + eps) * weight + bias with the given (merged) statistics. */
NORM4J_API int norm4j_batch_norm_normalize(const float *x, float *y, int64_t n, int64_t c, int64_t s, int layout,
                                           const float *weight, const float *bias, float eps, const double *mean,
                                           const double *var);
/* This shard's sum dy and sum dy * xhat per channel (xhat from the merged statistics), in double;
 * their totals over the shards are dbias and dweight. */
NORM4J_API int norm4j_batch_norm_backward_sums(const float *x, const float *dy, int64_t n, int64_t c, int64_t s,
                                               int layout, const double *mean, const double *var, float eps,
                                               double *sum_dy, double *sum_dy_xhat);
/* This shard's dx from the totals of the sums over all count values per channel; dx may be dy. */
NORM4J_API int norm4j_batch_norm_backward_dx(const float *x, const float *dy, float *dx, int64_t n, int64_t c,
                                             int64_t s, int layout, const float *weight, const double *mean,
                                             const double *var, float eps, const double *sum_dy,
                                             const double *sum_dy_xhat, double count);

/* ---- standard (z-score) scaling ------------------------------------------------------------ */

/* Per feature of a [samples, features] matrix: count of values that are not NaN, their mean and
 * m2 (sum of squared deviations), in double. */
NORM4J_API int norm4j_feature_moments(const float *x, int64_t samples, int64_t features, double *count, double *mean,
                                      double *m2);
/* inverse = 0: y = (x - mean) / scale; inverse = 1: y = x * scale + mean; in double per feature,
 * rounded once. y may be x. */
NORM4J_API int norm4j_standard_scale(const float *x, float *y, int64_t samples, int64_t features, const double *mean,
                                     const double *scale, int inverse);

/* ---- min-max scaling ------------------------------------------------------------------- */

/*
 * Per-feature minimum and maximum of a [samples, features] matrix, NaN values skipped.
 * accumulate = 0 starts from +Inf / -Inf; accumulate = 1 extends the given data_min and
 * data_max (incremental fitting).
 */
NORM4J_API int norm4j_min_max_fit(const float *x, int64_t samples, int64_t features,
                                  float *data_min, float *data_max, int accumulate);

/* The same with x stored as x_type (NORM4J_F32, NORM4J_BF16, NORM4J_F16): the extrema of its
 * values, exactly as stored. */
NORM4J_API int norm4j_min_max_fit_stored(const void *x, int x_type, int64_t samples, int64_t features,
                                         float *data_min, float *data_max, int accumulate);

/*
 * inverse = 0: y = (x - min) / range * (range_max - range_min) + range_min
 * inverse = 1: y = (x - range_min) / (range_max - range_min) * range + min
 * with range = max - min per feature, taken as 1 where it is 0 (a constant feature maps to
 * range_min). Needs range_min < range_max.
 */
NORM4J_API int norm4j_min_max_transform(const float *x, float *y, int64_t samples,
                                        int64_t features, const float *data_min,
                                        const float *data_max, float range_min,
                                        float range_max, int inverse);

/* The same with x and y stored as x_type and y_type: the f32 call's result on x's values, each
 * output rounded once to y's type. y may be x when the two share a type. */
NORM4J_API int norm4j_min_max_transform_stored(const void *x, int x_type, void *y, int y_type, int64_t samples,
                                               int64_t features, const float *data_min, const float *data_max,
                                               float range_min, float range_max, int inverse);

/* ---- measurement helpers ------------------------------------------------------------- */

/* Bytes the C heap (malloc) has handed out and not taken back, or -1 where the C library
 * cannot say. Lets soak tests see native leaks that the JVM cannot. */
NORM4J_API int64_t norm4j_native_heap_in_use(void);

/* Copies n floats; used to measure the machine's copy bandwidth next to the kernels. */
NORM4J_API int norm4j_copy(const float *src, float *dst, int64_t n);

#ifdef __cplusplus
}
#endif

#endif /* NORM4J_H */
