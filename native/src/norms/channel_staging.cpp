// NATIVE batch norm (forward and backward) and group norm (forward) on data stored as bf16 or f16
// (or f32 in and another type out): the f32 call run on f32 copies of units that stay in cache,
// each widened exactly before and its output rounded once after. A unit is a channel of
// channels-first batch norm (its planes, 400 KB as f32 in a [32, 64, 56, 56] batch; its sums and
// parameter gradients are the channel's alone), a sample of group norm forward (channels-first,
// or channels-last with mixed types: with one type it is read as stored, group_norm_forward.h);
// each unit's result does not depend on where it is staged, so the bits are those of the f32 call
// on the whole widened tensor with each output rounded once, and the data cross memory once each
// way at their stored width. Channels-last batch norm forward, whose statistics run across every
// sample, reads the stored values directly in its one-pass column sums and (x and y of one type)
// its output pass, and widens tiles of rows for the rest (channel_passes.h); its backward reads x,
// dy and dx as stored where they share a type, else widens tiles and blocks of rows
// (batch_norm_backward.h: StoredColumns), but for the fused ReLU's, staged whole. Group norm
// backward stages its units (a sample-group, a channels-last sample with mixed types or an
// activation) in group_norm.cpp (StoredUnits).
#include <algorithm>
#include <atomic>
#include <new>
#include <string>

#include "../api_checks.h"
#include "../kernels.h"
#include "../scratch.h"
#include "../storage_runs.h"
#include "../threading.h"
#include "activation_pass.h"
#include "batch_norm_backward.h"
#include "channel_passes.h"
#include "channel_constants.h"
#include "double_normalize.h"
#include "group_norm_forward.h"
#include "segment_statistics.h"
#include "typed_column_kernels.h"

namespace norm4j {

namespace {

// dst[0, n) = src's values [first, first + n) widened, and the reverse, shared among the threads.
void widen_shared(const KernelTable &k, const void *src, int type, int64_t first, float *dst, int64_t n) {
    parallel_row_shares(n, threads_for(n), [&](int64_t i, int64_t m) { widen_run(k, src, type, first + i, dst + i, m); });
}

void round_shared(const KernelTable &k, const float *src, void *dst, int type, int64_t first, int64_t n) {
    parallel_row_shares(n, threads_for(n), [&](int64_t i, int64_t m) { round_run(k, src + i, dst, type, first + i, m); });
}

// Channels-first batch norm, channel by channel (training) or plane by plane (inference).
void batch_norm_planes_staged(const KernelTable &k, const void *x, int x_type, void *y, int y_type, int64_t n,
                              int64_t c, int64_t s, const float *weight, const float *bias, float eps,
                              const float *running_mean, const float *running_var, float *mean, float *rstd,
                              float *var, int activation) {
    const int threads = threads_for(n * c * s);
    if (mean == nullptr) {
        ScratchFrame frame;
        ChannelConstants cc(frame, c);
        for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
        parallel_for(n * c, threads, [&](int64_t plane) {
            const int64_t ch = plane % c;
            ScratchFrame mine;
            float *const buf = mine.array<float>(s);
            widen_run(k, x, x_type, plane * s, buf, s);
            normalize_plane(k, buf, buf, s, cc.get(ch), weight_of(weight, ch), bias_of(bias, ch), false, activation);
            round_run(k, buf, y, y_type, plane * s, s);
        });
        return;
    }
    parallel_for(c, threads, [&](int64_t ch) {
        ScratchFrame mine;
        float *const buf = mine.array<float>(n * s);
        for (int64_t i = 0; i < n; ++i) widen_run(k, x, x_type, (i * c + ch) * s, buf + i * s, s);
        const MeanVariance mv = segments_mean_variance(k, buf, n, s, s);
        const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
        save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
        for (int64_t i = 0; i < n; ++i) {
            normalize_plane(k, buf + i * s, buf + i * s, s, g, weight_of(weight, ch), bias_of(bias, ch), false,
                            activation);
            round_run(k, buf + i * s, y, y_type, (i * c + ch) * s, s);
        }
    });
}

// Channels-last rows stored as `type`: read widens a tile at a time into the reader's frame (the
// two-pass statistics, the output pass of mixed types); pivoted_sums reads them as stored.
struct RowsWidened {
    const KernelTable &k;
    const void *x;
    int type;
    int64_t c;
    const float *read(int64_t r0, int64_t nr, ScratchFrame &frame) const {
        float *const rows = frame.array<float>(nr * c);
        widen_run(k, x, type, r0 * c, rows, nr * c);
        return rows;
    }
    void pivoted_sums(const KernelTable &kernels, int64_t r0, int64_t nr, const float *pivot, double *s1,
                      double *s2) const {
        with_stored_type(type, x, nullptr, [&](auto rows, auto) {
            column_pivoted_sums_of(kernels, rows + r0 * c, nr, c, pivot, s1, s2);
        });
    }
};

// The output pass of channels-last data. x and y both bf16 (or both f16), with constants f32
// arithmetic applies: the stored kernel reads and writes them as they are stored, rows shared among
// the threads. Otherwise in blocks of rows that stay in cache: each widened, normalized in place
// (out.apply, value by value) and rounded out; blocks shared among the threads. Either way each
// value is the f32 pass's on the widened value, rounded once.
void apply_columns_staged(const KernelTable &k, const RowsWidened &rows_of_x, void *y, int y_type, int64_t rows,
                          int threads, const ColumnOutput &out, int activation) {
    const int64_t c = rows_of_x.c;
    if (rows_of_x.type == y_type && !out.in_double) {
        const bool from_memory = outgrows_cache(rows * c, 2 * sizeof(uint16_t));
        with_stored_type(y_type, rows_of_x.x, y, [&](auto xs, auto ys) {
            parallel_row_shares(rows, threads, [&](int64_t r0, int64_t nr) {
                normalize_columns_of(k, xs + r0 * c, ys + r0 * c, nr, c, out.affine, from_memory, activation);
            });
        });
        return;
    }
    for_each_staging_block(rows, c, threads, [&](int64_t r0, int64_t nr, ScratchFrame &mine) {
        float *const buf = const_cast<float *>(rows_of_x.read(r0, nr, mine));
        out.apply(k, buf, buf, nr, c, activation);
        round_run(k, buf, y, y_type, r0 * c, nr * c);
    });
}

// Channels-last batch norm (and [N, C] data) forward on stored types: the statistics as the f32
// call forms them (column_statistics_of, a tile of rows at a time), then the output pass
// (apply_columns_staged). x crosses memory twice and y once, at their stored width.
void batch_norm_columns_staged(const KernelTable &k, const void *x, int x_type, void *y, int y_type, int64_t rows,
                               int64_t c, const float *weight, const float *bias, float eps,
                               const float *running_mean, const float *running_var, float *mean, float *rstd,
                               float *var, int activation) {
    const int threads = threads_for(rows * c);
    const RowsWidened rows_of_x{k, x, x_type, c};
    ScratchFrame frame;
    if (mean == nullptr) {
        const ColumnOutput out(frame, c, weight, bias, [&](auto set) {
            for (int64_t ch = 0; ch < c; ++ch) set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
        });
        apply_columns_staged(k, rows_of_x, y, y_type, rows, threads, out, activation);
        return;
    }
    float *const first_row = frame.array<float>(c);
    widen_run(k, x, x_type, 0, first_row, c);
    const ColumnOutput out(frame, c, weight, bias, [&](auto set) {
        column_statistics_of(k, rows_of_x, first_row, rows, c, threads, [&](int64_t ch, const MeanVariance &mv) {
            const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
            save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
            set(ch, g);
        });
    });
    apply_columns_staged(k, rows_of_x, y, y_type, rows, threads, out, activation);
}

// count floats of the caller's scratch for a whole tensor or sample, or null (with the reason set)
// where the C heap cannot give them.
float *staging(ScratchFrame &frame, int64_t count) {
    try {
        return frame.array<float>(count);
    } catch (const std::bad_alloc &) {
        fail(NORM4J_ERR_BACKEND, "cannot allocate " + std::to_string(count * 4) + " bytes to stage the data as f32");
        return nullptr;
    }
}

int check_stored_channels_call(const void *x, int x_type, const void *y, int y_type, int64_t n, int64_t c, int64_t s,
                               int layout, float eps, const float *mean, const float *rstd, int activation,
                               bool *empty) {
    int status = check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, empty);
    if (status == NORM4J_OK) status = check_storage_types(x_type, y_type);
    if (status == NORM4J_OK && !valid_activation(activation)) status = fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    return status;
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_batch_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t n, int64_t c,
                                                int64_t s, int layout, const float *weight, const float *bias,
                                                float eps, const float *running_mean, const float *running_var,
                                                float *mean, float *rstd, float *var, int activation) {
    using namespace norm4j;
    if (x_type == NORM4J_F32 && y_type == NORM4J_F32)
        return norm4j_batch_norm_forward(static_cast<const float *>(x), static_cast<float *>(y), n, c, s, layout, weight,
                                         bias, eps, running_mean, running_var, mean, rstd, var, activation);
    bool empty = false;
    const int status = check_stored_channels_call(x, x_type, y, y_type, n, c, s, layout, eps, mean, rstd, activation,
                                                  &empty);
    if (status != NORM4J_OK) return status;
    if (mean == nullptr && (running_mean == nullptr || running_var == nullptr))
        return fail(NORM4J_ERR_ARGUMENT, "inference needs running_mean and running_var");
    if (empty) return NORM4J_OK;
    const KernelTable &k = active_kernels();
    if (layout == NORM4J_LAYOUT_NCHW && s > 1) {
        batch_norm_planes_staged(k, x, x_type, y, y_type, n, c, s, weight, bias, eps, running_mean, running_var, mean,
                                 rstd, var, activation);
        return NORM4J_OK;
    }
    batch_norm_columns_staged(k, x, x_type, y, y_type, n * s, c, weight, bias, eps, running_mean, running_var, mean,
                              rstd, var, activation);
    return NORM4J_OK;
}

extern "C" int norm4j_group_norm_forward_stored(const void *x, int x_type, void *y, int y_type, int64_t n, int64_t c,
                                                int64_t s, int64_t groups, int layout, const float *weight,
                                                const float *bias, float eps, float *mean, float *rstd, float *var,
                                                int activation) {
    using namespace norm4j;
    if (x_type == NORM4J_F32 && y_type == NORM4J_F32)
        return norm4j_group_norm_forward(static_cast<const float *>(x), static_cast<float *>(y), n, c, s, groups, layout,
                                         weight, bias, eps, mean, rstd, var, activation);
    bool empty = false;
    const int status = check_stored_channels_call(x, x_type, y, y_type, n, c, s, layout, eps, mean, rstd, activation,
                                                  &empty);
    if (status != NORM4J_OK) return status;
    if (groups <= 0 || (c > 0 && c % groups != 0))
        return fail(NORM4J_ERR_ARGUMENT, "groups must be positive and divide the channels");
    if (empty) return NORM4J_OK;
    const KernelTable &k = active_kernels();
    if (layout == NORM4J_LAYOUT_NHWC && x_type == y_type) {
        group_norm_nhwc_stored(k, x, y, x_type, n, c, s, groups, weight, bias, eps, mean, rstd, var, activation);
        return NORM4J_OK;
    }
    // Sample by sample: the f32 call on one sample shares its groups among the threads.
    const int64_t per_sample = c * s;
    ScratchFrame frame;
    float *const buf = staging(frame, per_sample);
    if (buf == nullptr) return NORM4J_ERR_BACKEND;
    for (int64_t i = 0; i < n; ++i) {
        widen_shared(k, x, x_type, i * per_sample, buf, per_sample);
        auto at = [&](float *p) { return p != nullptr ? p + i * groups : nullptr; };
        const int done = norm4j_group_norm_forward(buf, buf, 1, c, s, groups, layout, weight, bias, eps, at(mean),
                                                   at(rstd), at(var), activation);
        if (done != NORM4J_OK) return done;
        round_shared(k, buf, y, y_type, i * per_sample, per_sample);
    }
    return NORM4J_OK;
}

extern "C" int norm4j_batch_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                                 int dx_type, int64_t n, int64_t c, int64_t s, int layout,
                                                 const float *weight, const float *bias, const float *mean,
                                                 const float *rstd, int batch_statistics, float *dweight, float *dbias,
                                                 int activation) {
    using namespace norm4j;
    if (x_type == NORM4J_F32 && dy_type == NORM4J_F32 && dx_type == NORM4J_F32)
        return norm4j_batch_norm_backward(static_cast<const float *>(x), static_cast<const float *>(dy),
                                          static_cast<float *>(dx), n, c, s, layout, weight, bias, mean, rstd,
                                          batch_statistics, dweight, dbias, activation);
    int status = check_backward_storage_types(x_type, dy_type, dx_type);
    if (status != NORM4J_OK) return status;
    if (!valid_layout(layout)) return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    if (!valid_activation(activation)) return fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    bool empty = false;
    status = check_backward_call(x, dy, dx, n, c, s, mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    const KernelTable &k = active_kernels();
    if (layout == NORM4J_LAYOUT_NCHW && s > 1) {
        // Channel by channel: the f32 backward of a [n, 1, s] batch is the channel's.
        std::atomic<int> failed{NORM4J_OK};
        parallel_for(c, threads_for(n * c * s), [&](int64_t ch) {
            ScratchFrame mine;
            float *const bx = mine.array<float>(n * s), *const bdy = mine.array<float>(n * s);
            for (int64_t i = 0; i < n; ++i) {
                widen_run(k, x, x_type, (i * c + ch) * s, bx + i * s, s);
                widen_run(k, dy, dy_type, (i * c + ch) * s, bdy + i * s, s);
            }
            auto at = [ch](auto *p) { return p != nullptr ? p + ch : nullptr; };
            const int done = norm4j_batch_norm_backward(bx, bdy, bdy, n, 1, s, layout, at(weight), at(bias), mean + ch,
                                                        rstd + ch, batch_statistics, at(dweight), at(dbias), activation);
            if (done != NORM4J_OK) {
                failed.store(done);
                return;
            }
            for (int64_t i = 0; i < n; ++i) round_run(k, bdy + i * s, dx, dx_type, (i * c + ch) * s, s);
        });
        return failed.load();
    }
    if (activation == NORM4J_ACTIVATION_NONE) {
        // Channels-last: the f32 call's passes, reading tiles and blocks of rows widened into scratch.
        ScratchFrame frame;
        const StoredColumns stored{x, dy, dx, x_type, dy_type, dx_type};
        BatchNormBackward call(k, nullptr, nullptr, nullptr, n, c, s, weight, mean, rstd, batch_statistics != 0, frame);
        call.stored = &stored;
        call.channels_last();
        call.sums.write(k, dweight, dbias);
        return NORM4J_OK;
    }
    // The fused ReLU's channels-last backward forms its gradient into dx first: staged whole.
    const int64_t count = n * c * s;
    ScratchFrame frame;
    float *const bx = staging(frame, count), *const bdy = bx == nullptr ? nullptr : staging(frame, count);
    if (bdy == nullptr) return NORM4J_ERR_BACKEND;
    widen_shared(k, x, x_type, 0, bx, count);
    widen_shared(k, dy, dy_type, 0, bdy, count);
    const int done = norm4j_batch_norm_backward(bx, bdy, bdy, n, c, s, layout, weight, bias, mean, rstd,
                                                batch_statistics, dweight, dbias, activation);
    if (done == NORM4J_OK) round_shared(k, bdy, dx, dx_type, 0, count);
    return done;
}
