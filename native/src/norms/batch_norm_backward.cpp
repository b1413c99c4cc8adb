// NATIVE batch norm backward. Per channel: sum dy and sum dy * xhat (these are also dbias and
// dweight). Then dx = rstd * (g - a - xhat * b) with g = dy * w, a and b the channel means of g
// and g * xhat; or, with constant statistics, dx = dy * rstd * w, which does not depend on x (a
// NaN in x must not reach dx): normalize dy with mean 0. One function per path: channels-last;
// channels-first channel by channel while a channel is in cache; channels-first in memory order.
#include <algorithm>
#include <cmath>
#include <functional>

#include "../api_checks.h"
#include "../kernels.h"
#include "../storage_runs.h"
#include "../threading.h"
#include "channel_constants.h"
#include "channel_passes.h"
#include "activation_pass.h"
#include "batch_norm_backward.h"
#include "typed_column_kernels.h"

namespace norm4j {

bool BatchNormBackward::from_memory_with(int streams) const {
    const int width = one_stored_type() == NORM4J_F32 ? sizeof(float) : sizeof(uint16_t);
    return outgrows_cache(n * c * s, streams * width);
}

template <typename Sum>
void BatchNormBackward::with_rows(int64_t r0, int64_t nr, ScratchFrame &rows_frame, Sum sum) const {
    if (stored == nullptr) {
        sum(x + r0 * c, dy + r0 * c, nr);
        return;
    }
    if (stored->one_type() != NORM4J_F32) {
        with_stored_type(stored->x_type, stored->x, nullptr, [&](auto xs, auto) {
            sum(xs + r0 * c, static_cast<decltype(xs)>(stored->dy) + r0 * c, nr);
        });
        return;
    }
    const float *bx, *bdy;
    widen_rows(r0, nr, rows_frame, &bx, &bdy);
    sum(bx, bdy, nr);
}

void BatchNormBackward::widen_rows(int64_t r0, int64_t nr, ScratchFrame &rows_frame, const float **x_rows,
                                   const float **dy_rows) const {
    float *const bx = rows_frame.array<float>(nr * c), *const bdy = rows_frame.array<float>(nr * c);
    widen_run(k, stored->x, stored->x_type, r0 * c, bx, nr * c);
    widen_run(k, stored->dy, stored->dy_type, r0 * c, bdy, nr * c);
    *x_rows = bx;
    *dy_rows = bdy;
}

template <typename Pass>
void BatchNormBackward::for_each_row_block(bool from_memory, Pass pass) {
    const int64_t rows = n * s;
    if (stored == nullptr || stored->one_type() != NORM4J_F32) {
        const void *const data_x = stored == nullptr ? x : stored->x;
        const void *const data_dy = stored == nullptr ? dy : stored->dy;
        void *const data_dx = stored == nullptr ? dx : stored->dx;
        with_stored_type(one_stored_type(), data_x, data_dx, [&](auto xs, auto dxs) {
            const auto dys = static_cast<decltype(xs)>(data_dy);
            parallel_row_shares(rows, threads, [&](int64_t r0, int64_t nr) {
                pass(xs + r0 * c, dys + r0 * c, dxs + r0 * c, nr, from_memory);
            });
        });
        return;
    }
    for_each_staging_block(rows, c, threads, [&](int64_t r0, int64_t nr, ScratchFrame &mine) {
        const float *bx, *bdy;
        widen_rows(r0, nr, mine, &bx, &bdy);
        float *const bdx = const_cast<float *>(bdy);
        pass(bx, bdy, bdx, nr, false);
        round_run(k, bdx, stored->dx, stored->dx_type, r0 * c, nr * c);
    });
}

// Each channel's sums in fixed chunks of rows (channel_passes.h), handed to finish(ch, weight) as
// they are finished, in parallel blocks. The kernels take a chunk a tile of rows at a time (data
// of mixed storage types each tile widened into L2, with_rows): where a mean needs correcting, tiles
// of kCorrectionTileValues, so that the sums of x - mean read each tile just before the backward
// sums do, from L1; else column_sum_call_rows's.
void BatchNormBackward::channel_sums_of_columns(bool from_memory, const std::function<void(int64_t, float)> &finish) {
    const int64_t rows = n * s;
    auto for_each_tile = [&](int64_t r0, int64_t nr, int64_t tile, auto sum) {
        for_each_row_tile(r0, nr, tile, [&](int64_t t0, int64_t tn, ScratchFrame &mine) { with_rows(t0, tn, mine, sum); });
    };
    if (shift == nullptr) {
        chunked_column_sums<2>(
            column_chunks(rows, c), c, threads,
            [&](int64_t r0, int64_t nr, double *part) {
                for_each_tile(r0, nr, column_sum_call_rows(c), [&](auto tx, auto tdy, int64_t tn) {
                    column_backward_sums_of(k, tx, tdy, tn, c, mean, rstd, part, part + c, from_memory);
                });
            },
            [&](int64_t ch, const double *t) {
                sums.db[ch] = t[0];
                sums.dw[ch] = t[1];
                finish(ch, weight_of(weight, ch));
            });
        return;
    }
    const int64_t tile = std::max<int64_t>(1, kCorrectionTileValues / c);
    chunked_column_sums<4>(
        column_chunks(rows, c), c, threads,
        [&](int64_t r0, int64_t nr, double *part) {
            for_each_tile(r0, nr, tile, [&](auto tx, auto tdy, int64_t tn) {
                column_pivoted_sums_of(k, tx, tn, c, mean, part + 2 * c, part + 3 * c);
                column_backward_sums_of(k, tx, tdy, tn, c, mean, rstd, part, part + c, from_memory);
            });
        },
        [&](int64_t ch, const double *t) {
            sums.db[ch] = t[0];
            sums.dw[ch] = t[1];
            correct_channel(ch, t[2]);
            finish(ch, weight_of(weight, ch));
        });
}

// Channels-last (and [N, C]): each channel's dx constants set as its sums are finished, then dx in
// one pass over the rows. A call too large for the caches prefetches x and dy and writes dx
// around the caches.
void BatchNormBackward::channels_last() {
    const bool from_memory = from_memory_with(3);
    if (!batch_statistics) {
        ColumnAffine affine(frame, c);
        channel_sums_of_columns(from_memory, [&](int64_t ch, float w) {
            affine.set(ch, CentringConstants{0.0f, 0.0f, rstd[ch]}, w, 0.0f);
        });
        affine.wrap();
        for_each_row_block(from_memory_with(2), [&](auto, auto rows_dy, auto rows_dx, int64_t nr, bool mem) {
            normalize_columns_of(k, rows_dy, rows_dx, nr, c, affine, mem, NORM4J_ACTIVATION_NONE);
        });
        return;
    }
    ColumnGradient grad(frame, c);
    channel_sums_of_columns(from_memory, [&](int64_t ch, float) { set_gradient(grad, ch); });
    columns_dx(grad, from_memory);
}

// dx of channels-last data in one pass over the rows, every channel's constants set in grad.
void BatchNormBackward::columns_dx(ColumnGradient &grad, bool from_memory) {
    grad.wrap();
    for_each_row_block(from_memory, [&](auto rows_x, auto rows_dy, auto rows_dx, int64_t nr, bool mem) {
        column_backward_dx_of(k, rows_x, rows_dy, rows_dx, nr, c, grad, mem, mem);
    });
}

// Channels-first in cache: each channel's sums, then with batch statistics its dx while its planes
// are still in L2 (x and dy of a [32, 64, 56, 56] channel are 800 KB), channels in parallel; from
// memory each plane's successor is prefetched while the plane is summed. A channel's dy is all
// read before its dx is written, so dx may be dy.
void BatchNormBackward::channels_first_by_channel(bool from_memory) {
    parallel_for(c, threads, [&](int64_t ch) {
        // With an activation, its gradient for the channel's planes, in this thread's scratch.
        ScratchFrame mine;
        float *const dpre = activation == NORM4J_ACTIVATION_NONE ? nullptr : mine.array<float>(n * s);
        auto dy_of = [&](int64_t i) { return dpre != nullptr ? dpre + i * s : dy + (i * c + ch) * s; };
        double x_minus_mean = 0;
        for (int64_t i = 0; i < n; ++i) {
            const int64_t offset = (i * c + ch) * s;
            if (from_memory && i + 1 < n) {
                prefetch(x + offset + c * s, s);
                prefetch(dy + offset + c * s, s);
            }
            if (dpre != nullptr)
                planes_activation_gradient(k, x + offset, dy + offset, 1, s, ch, mean[ch], rstd[ch], weight, bias,
                                           activation, mine, dpre + i * s);
            x_minus_mean += plane_shift_sum(x + offset, ch);
            k.backward_sums(x + offset, dy_of(i), s, mean[ch], rstd[ch], nullptr, &sums.db[ch], &sums.dw[ch],
                            nullptr, nullptr, false);
        }
        if (!batch_statistics) return;
        if (shift != nullptr) correct_channel(ch, x_minus_mean);
        const DxTerms t = dx_terms(ch);
        for (int64_t i = 0; i < n; ++i) {
            const int64_t offset = (i * c + ch) * s;
            k.backward_dx(x + offset, dy_of(i), dx + offset, s, mean[ch], rstd[ch], nullptr, t.w,
                          static_cast<float>(t.a), static_cast<float>(t.b), from_memory);
        }
    });
}

// Channels-first once x and dy together outgrow the last-level cache: the planes read in memory
// order, twice (sums, then dx), since a channel's planes are short runs a whole batch apart and
// read that way the memory delivers less than two sequential passes over all of it. A channel's
// sums add its planes' in sample order, as channel by channel does: the same bits.
void BatchNormBackward::channels_first_in_memory_order(bool from_memory) {
    double *const plane_sums = frame.array<double>(3 * n * c, 0.0);  // db, dw, sum (x - mean) of each plane
    parallel_for(n * c, threads, [&](int64_t plane) {
        const int64_t ch = plane % c;
        plane_sums[3 * plane + 2] = plane_shift_sum(x + plane * s, ch);
        k.backward_sums(x + plane * s, dy + plane * s, s, mean[ch], rstd[ch], nullptr, &plane_sums[3 * plane],
                        &plane_sums[3 * plane + 1], nullptr, nullptr, false);
    });
    double *const x_minus_mean = frame.array<double>(c, 0.0);
    for (int64_t plane = 0; plane < n * c; ++plane) {
        sums.db[plane % c] += plane_sums[3 * plane];
        sums.dw[plane % c] += plane_sums[3 * plane + 1];
        x_minus_mean[plane % c] += plane_sums[3 * plane + 2];
    }
    if (shift != nullptr)
        for (int64_t ch = 0; ch < c; ++ch) correct_channel(ch, x_minus_mean[ch]);
    if (batch_statistics) planes_dx(from_memory);
}

// dx of channels-first data plane by plane in memory order, every channel's sums set.
void BatchNormBackward::planes_dx(bool from_memory) {
    parallel_for(n * c, threads, [&](int64_t plane) {
        const int64_t ch = plane % c;
        const DxTerms t = dx_terms(ch);
        k.backward_dx(x + plane * s, dy + plane * s, dx + plane * s, s, mean[ch], rstd[ch], nullptr, t.w,
                      static_cast<float>(t.a), static_cast<float>(t.b), from_memory);
    });
}

// Channels-first with constant statistics: dx = dy * rstd * w, plane by plane.
void BatchNormBackward::constant_statistics_planes() {
    ChannelConstants cc(frame, c);
    for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, CentringConstants{0.0f, 0.0f, rstd[ch]});
    apply_planes(k, dy, dx, n, c, s, threads, cc, weight, nullptr, NORM4J_ACTIVATION_NONE);
}

}  // namespace norm4j

extern "C" int norm4j_batch_norm_backward(const float *x, const float *dy, float *dx, int64_t n,
                                          int64_t c, int64_t s, int layout,
                                          const float *weight, const float *bias, const float *mean,
                                          const float *rstd, int batch_statistics,
                                          float *dweight, float *dbias, int activation) {
    using namespace norm4j;
    if (!valid_layout(layout)) return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    if (!valid_activation(activation)) return fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    bool empty = false;
    const int status = check_backward_call(x, dy, dx, n, c, s, mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    const bool in_cache = !outgrows_cache(n * c * s, 2 * sizeof(float));
    const bool by_channel = layout == NORM4J_LAYOUT_NCHW && s > 1 && batch_statistics != 0 && in_cache;
    if (activation != NORM4J_ACTIVATION_NONE && !by_channel) {
        // The other paths take the activation's gradient as their dy, formed into dx first.
        const int formed = norm4j_activation_gradient(x, dy, dx, n, c, s, 0, layout, weight, bias, mean, rstd, activation);
        if (formed != NORM4J_OK) return formed;
        dy = dx;
        activation = NORM4J_ACTIVATION_NONE;
    }
    ScratchFrame frame;
    BatchNormBackward call(active_kernels(), x, dy, dx, n, c, s, weight, mean, rstd, batch_statistics != 0, frame);
    call.bias = bias;
    call.activation = activation;
    if (layout == NORM4J_LAYOUT_NHWC || s == 1) {  // [N, C] data is channels-last whatever the declared layout
        call.channels_last();
    } else {
        const bool from_memory = backward_from_memory(n * c * s);
        if (in_cache) call.channels_first_by_channel(from_memory);
        else call.channels_first_in_memory_order(from_memory);
        if (!batch_statistics) call.constant_statistics_planes();
    }
    call.sums.write(call.k, dweight, dbias);
    return NORM4J_OK;
}
