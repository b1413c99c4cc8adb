// NATIVE batch norm: statistics per channel over the batch and the spatial positions.
// Channels-first data is reduced plane by plane (contiguous segments), channels in parallel;
// channels-last data, and [N, C] input (no spatial extent), column-wise across channels, in
// fixed chunks of rows whose partial sums are added in chunk order (see threading.h).
#include <algorithm>
#include <atomic>
#include <cmath>

#include "../api_checks.h"
#include "../kernels.h"
#include "../threading.h"
#include "channel_constants.h"
#include "double_normalize.h"
#include "gradient_sums.h"
#include "mean_correction.h"
#include "segment_statistics.h"

namespace norm4j {

namespace {

// The chunks of a column reduction: at most 16, and fewer for wide rows, whose partials (two rows
// of doubles per chunk) and the short row walks of many chunks cost more than they share out:
// batch norm [8, 7, 7, 2048] backward 158 -> 136 us in 4 chunks rather than 16 (2 or 8: 134-136,
// 142), [32, 7, 7, 2048] 798 -> 741 us.
RowChunks column_chunks(int64_t rows, int64_t cols) {
    return RowChunks(rows, cols, std::clamp<int64_t>(8192 / std::max<int64_t>(cols, 1), 4, 16));
}

// Column sums over all the chunks' rows (column_chunks), whose partials are added in chunk
// order: the same bits for any thread count. f(first row, rows, out) adds a chunk's sums
// into out, which holds kOutputs zeroed arrays of cols values. done(j, totals) then receives
// column j's kOutputs totals; columns are finished in parallel blocks, so no per-channel work is
// left to one thread.
template <int kOutputs, typename ChunkSums, typename Done>
void chunked_column_sums(const RowChunks &chunks, int64_t cols, int threads, ChunkSums f, Done done) {
    const int64_t width = kOutputs * cols;
    ScratchFrame frame;
    double *const partial = frame.array<double>(chunks.count() * width);
    parallel_for(chunks.count(), threads, [&](int64_t c) {
        double *const mine = partial + c * width;
        std::fill(mine, mine + width, 0.0);  // by the thread that fills it, into its cache
        f(chunks.begin(c), chunks.size(c), mine);
    });
    // A block of columns at a time, each chunk's partials added as whole runs: the same additions
    // in the same order per column as one column at a time, but read in memory order rather than
    // at a stride of a chunk's partials (16 KiB apart for 1024 channels), half of them from the
    // other core's cache. Batch norm [128, 1024] training forward, two threads, native loop:
    // 15.8-16.4 -> 14.2-14.6 us (backward, whose dx pass dominates, unchanged).
    parallel_for_range_blocks(cols, threads, [&](int64_t j0, int64_t nj) {
        double totals[kOutputs][kCheapItemsPerBlock] = {};
        for (int64_t c = 0; c < chunks.count(); ++c)
            for (int o = 0; o < kOutputs; ++o) {
                const double *from = partial + c * width + o * cols + j0;
                for (int64_t j = 0; j < nj; ++j) totals[o][j] += from[j];
            }
        for (int64_t j = 0; j < nj; ++j) {
            double column[kOutputs];
            for (int o = 0; o < kOutputs; ++o) column[o] = totals[o][j];
            done(j0 + j, static_cast<const double *>(column));
        }
    });
}

// Per-channel mean and biased variance of channels-last [rows, c] data, in double, handed to
// finish(ch, MeanVariance): one pass about the first row where pivoted_mean_variance accepts
// every channel, else a pass for the sums and one for the centred squares. (Channels finished
// before a later one is rejected are finished again from the two-pass statistics.)
template <typename Finish>
void column_statistics(const KernelTable &k, const float *x, int64_t rows, int64_t c, int threads,
                       Finish finish) {
    const GroupCount count(static_cast<double>(rows));
    // A term's chain: its chunk's sum (at most one addition per row of the chunk, and one per
    // tile of rows into the chunk's partial), then the chunks' partials added in order.
    const RowChunks chunks = column_chunks(rows, c);
    const double chain = static_cast<double>(chunks.per_chunk + 1 + chunks.count());
    std::atomic<bool> accepted{true};
    chunked_column_sums<2>(
        chunks, c, threads,
        [&](int64_t r0, int64_t nr, double *part) { k.column_pivoted_sums(x + r0 * c, nr, c, x, part, part + c); },
        [&](int64_t ch, const double *t) {
            MeanVariance mv;
            if (pivoted_mean_variance(x[ch], t[0], t[1], count, chain, &mv)) finish(ch, mv);
            else accepted.store(false, std::memory_order_relaxed);
        });
    if (accepted.load()) return;
    ScratchFrame frame;
    double *const mean = frame.array<double>(c);
    chunked_column_sums<1>(
        chunks, c, threads, [&](int64_t r0, int64_t nr, double *part) { k.column_sums(x + r0 * c, nr, c, part); },
        [&](int64_t ch, const double *t) { mean[ch] = t[0] / count.n; });
    chunked_column_sums<1>(
        chunks, c, threads,
        [&](int64_t r0, int64_t nr, double *part) { k.column_centred_square_sums(x + r0 * c, nr, c, mean, part); },
        [&](int64_t ch, const double *t) { finish(ch, MeanVariance{mean[ch], t[0] / count.n}); });
}

// y = normalize(x) for channels-last data, the constants folded (channel_constants.h).
void apply_columns(const KernelTable &k, const float *x, float *y, int64_t rows, int64_t c,
                   int threads, ColumnAffine &affine) {
    affine.wrap();
    const bool stream = stream_output(rows * c);
    parallel_row_shares(rows, threads, [&](int64_t r0, int64_t nr) {
        k.normalize_columns(x + r0 * c, y + r0 * c, nr, c, affine.hi.data(), affine.scale.data(),
                            affine.shift.data(), stream);
    });
}

// y = normalize(x) for channels-first data, plane by plane, y around the caches from
// stream_output's size. Batch norm [32, 64, 56, 56] inference in a native loop, the old and new
// library alternated: 18 times while the memory was busy or middling, 0.70-1.22 ms (median 0.88)
// -> 0.69-0.88 ms (median 0.78); while it was calm, 8 times 0.40-0.65 -> 0.35-0.47 ms, and 5 times
// with the AVX2 kernels 0.40-0.54 -> 0.35-0.41 ms. (It had once been measured slower in a calm
// phase, 0.34 -> 0.41 ms; that did not recur.)
void apply_planes(const KernelTable &k, const float *x, float *y, int64_t n, int64_t c, int64_t s,
                  int threads, const ChannelConstants &cc, const float *weight, const float *bias) {
    const bool stream = stream_output(n * c * s);
    parallel_for(n * c, threads, [&](int64_t plane) {
        const int64_t ch = plane % c;
        normalize_plane(k, x + plane * s, y + plane * s, s, cc.get(ch), weight_of(weight, ch), bias_of(bias, ch), stream);
    });
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_batch_norm_forward(const float *x, float *y, int64_t n, int64_t c,
                                         int64_t s, int layout, const float *weight,
                                         const float *bias, float eps,
                                         const float *running_mean, const float *running_var,
                                         float *mean, float *rstd, float *var) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, &empty);
    if (status != NORM4J_OK) return status;
    const bool training = mean != nullptr;
    if (!training && (running_mean == nullptr || running_var == nullptr))
        return fail(NORM4J_ERR_ARGUMENT, "inference needs running_mean and running_var");
    if (empty) return NORM4J_OK;

    const KernelTable &k = active_kernels();
    // [N, C] data is channels-last whatever the declared layout.
    const bool columns = layout == NORM4J_LAYOUT_NHWC || s == 1;
    const int threads = threads_for(n * c * s);
    if (training && !columns) {
        // Channels-first: each channel's statistics, then its planes normalized while they are
        // still in cache (a channel of a [32, 64, 56, 56] batch is 400 KB), channels in parallel.
        // y is written around the caches from 16 MiB (stream_output): that batch 1.05 -> 0.67 ms
        // in a native loop. (As is inference's, apply_planes; not group norm's 16 MiB forward,
        // where it was measured slower: 0.27 -> 0.49 ms, x and y staying in cache.)
        const bool stream = stream_output(n * c * s);
        parallel_for(c, threads, [&](int64_t ch) {
            const MeanVariance mv = segments_mean_variance(k, x + ch * s, n, s, c * s, stream);
            const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
            save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
            for (int64_t i = 0; i < n; ++i) {
                const int64_t offset = (i * c + ch) * s;
                normalize_plane(k, x + offset, y + offset, s, g, weight_of(weight, ch), bias_of(bias, ch), stream);
            }
        });
        return NORM4J_OK;
    }
    ScratchFrame frame;
    if (columns) {
        ColumnAffine affine(frame, c);
        ChannelConstants exact(frame, c);  // for the double path, when a channel needs it
        std::atomic<bool> in_double{false};
        auto set = [&](int64_t ch, const CentringConstants &g) {
            affine.set(ch, g, weight_of(weight, ch), bias_of(bias, ch));
            exact.set(ch, g);
            if (g.in_double) in_double.store(true, std::memory_order_relaxed);
        };
        if (training) {
            column_statistics(k, x, n * s, c, threads, [&](int64_t ch, const MeanVariance &mv) {
                const CentringConstants g = centring_constants(mv.mean, mv.var, eps);
                save_group_statistics(ch, mv.mean, mv.var, g, mean, rstd, var);
                set(ch, g);
            });
        } else {
            parallel_for_blocks(c, threads, [&](int64_t ch) {
                set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
            });
        }
        if (in_double.load()) normalize_columns_in_double(x, y, n * s, c, exact.all, weight, bias);
        else apply_columns(k, x, y, n * s, c, threads, affine);
        return NORM4J_OK;
    }
    ChannelConstants cc(frame, c);  // channels-first inference
    for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, centring_constants(running_mean[ch], running_var[ch], eps));
    apply_planes(k, x, y, n, c, s, threads, cc, weight, bias);
    return NORM4J_OK;
}

extern "C" int norm4j_batch_norm_backward(const float *x, const float *dy, float *dx, int64_t n,
                                          int64_t c, int64_t s, int layout,
                                          const float *weight, const float *mean,
                                          const float *rstd, int batch_statistics,
                                          float *dweight, float *dbias) {
    using namespace norm4j;
    if (!valid_layout(layout)) return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    bool empty = false;
    const int status = check_backward_call(x, dy, dx, n, c, s, mean != nullptr && rstd != nullptr, &empty);
    if (status != NORM4J_OK || empty) return status;
    const KernelTable &k = active_kernels();
    const bool columns = layout == NORM4J_LAYOUT_NHWC || s == 1;
    const int threads = threads_for(n * c * s);

    // Per channel: sum dy and sum dy * xhat (these are also dbias and dweight). Then
    // dx = rstd * (g - a - xhat * b) with g = dy * w, a and b the channel means of g and g * xhat;
    // or, with constant statistics, dx = dy * rstd * w, which does not depend on x (a NaN in x
    // must not reach dx): normalize with mean 0.
    ScratchFrame frame;
    ParamGradients sums(frame, c);
    const double count = static_cast<double>(n) * static_cast<double>(s);
    // Channels whose saved mean's rounding matters take sum (x - mean) as well (mean_correction.h):
    // shift[ch] is then the xhat shift it recovers, 0 elsewhere.
    bool correct = false;
    for (int64_t ch = 0; batch_statistics && ch < c && !correct; ++ch) correct = mean_rounding_matters(mean[ch], rstd[ch]);
    double *const shift = correct ? frame.array<double>(c, 0.0) : nullptr;
    // dweight = sum dy (xhat - shift); dx's a less shift b (mean_correction.h).
    auto correct_channel = [&](int64_t ch, double sum_x_minus_mean) {
        if (!mean_rounding_matters(mean[ch], rstd[ch])) return;
        shift[ch] = xhat_shift(sum_x_minus_mean, count, mean[ch], rstd[ch]);
        sums.dw[ch] -= shift[ch] * sums.db[ch];
    };
    if (columns) {
        // Each channel's constants are set as its sums are finished, in parallel blocks. A call
        // too large for the caches prefetches x and dy and writes dx around the caches.
        const bool from_memory = stream_dx(n * c * s);
        auto channel_sums = [&](auto finish) {
            if (!correct) {
                chunked_column_sums<2>(
                    column_chunks(n * s, c), c, threads,
                    [&](int64_t r0, int64_t nr, double *part) {
                        k.column_backward_sums(x + r0 * c, dy + r0 * c, nr, c, mean, rstd, part, part + c, from_memory);
                    },
                    [&](int64_t ch, const double *t) {
                        sums.db[ch] = t[0];
                        sums.dw[ch] = t[1];
                        finish(ch, weight_of(weight, ch));
                    });
                return;
            }
            // Tile by tile, so that the sums of x - mean read each tile just before the backward
            // sums do, from cache.
            const int64_t tile = std::max<int64_t>(1, kCorrectionTileValues / c);
            chunked_column_sums<4>(
                column_chunks(n * s, c), c, threads,
                [&](int64_t r0, int64_t nr, double *part) {
                    for (int64_t t0 = r0; t0 < r0 + nr; t0 += tile) {
                        const int64_t tn = std::min(tile, r0 + nr - t0);
                        k.column_pivoted_sums(x + t0 * c, tn, c, mean, part + 2 * c, part + 3 * c);
                        k.column_backward_sums(x + t0 * c, dy + t0 * c, tn, c, mean, rstd, part, part + c, from_memory);
                    }
                },
                [&](int64_t ch, const double *t) {
                    sums.db[ch] = t[0];
                    sums.dw[ch] = t[1];
                    correct_channel(ch, t[2]);
                    finish(ch, weight_of(weight, ch));
                });
        };
        if (batch_statistics) {
            ColumnGradient grad(frame, c);
            channel_sums([&](int64_t ch, float w) {
                const double b = w * sums.dw[ch] / count, a = w * sums.db[ch] / count;
                grad.set(ch, mean[ch], rstd[ch], w, correct && shift[ch] != 0.0 ? a - shift[ch] * b : a, b);
            });
            grad.wrap();
            parallel_row_shares(n * s, threads, [&](int64_t r0, int64_t nr) {
                k.column_backward_dx(x + r0 * c, dy + r0 * c, dx + r0 * c, nr, c, grad.mean.data(),
                                     grad.rstd.data(), grad.k_dy.data(), grad.k_x.data(), grad.k_0.data(),
                                     from_memory, from_memory);
            });
        } else {
            ColumnAffine affine(frame, c);
            channel_sums([&](int64_t ch, float w) { affine.set(ch, CentringConstants{0.0f, 0.0f, rstd[ch]}, w, 0.0f); });
            apply_columns(k, dy, dx, n * s, c, threads, affine);
        }
        sums.write(k, dweight, dbias);
        return NORM4J_OK;
    }
    // Channels-first. In cache, each channel's sums, then with batch statistics its dx while its
    // planes are still in L2 (x and dy of a [32, 64, 56, 56] channel are 800 KB), channels in
    // parallel; out of cache each plane's successor is prefetched while the plane is summed.
    // Once x and dy together outgrow the last-level cache the planes are read in memory order
    // instead, twice (sums, then dx): a channel's planes are short runs a whole batch apart, and
    // read that way the memory delivered less than two sequential passes over all of it ([32, 64,
    // 56, 56] 1.03-1.13 -> 0.84-0.94 ms in a calm memory phase, 1.79-1.84 -> 1.50-1.56 ms in a busy
    // one; [64, 64, 56, 56] 4.4-4.5 -> 3.75-3.88 ms; in a native loop; [32, 128, 28, 28], whose
    // x and dy fit, stayed 0-10% faster channel by channel). In both orders a channel's
    // dy is all read before its dx is written, so dx may be dy, and a channel's sums add its
    // planes' in sample order: the same bits.
    const bool stream = stream_dx(n * c * s);
    const bool in_memory_order = outgrows_cache(n * c * s, 2 * sizeof(float));  // x and dy
    // A channel's weight and the constants of its dx (backward_dx's a and b).
    struct DxConstants {
        float w, a, b;
    };
    auto dx_constants = [&](int64_t ch) {
        const float w = weight_of(weight, ch);
        const double a = w * sums.db[ch] / count, b = w * sums.dw[ch] / count;
        return DxConstants{w, static_cast<float>(correct && shift[ch] != 0.0 ? a - shift[ch] * b : a),
                           static_cast<float>(b)};
    };
    // A plane's sum (x - mean) where its channel's mean needs correcting, read just before the
    // plane's backward sums read it again from cache.
    auto plane_shift_sum = [&](const float *plane, int64_t ch) {
        return correct && mean_rounding_matters(mean[ch], rstd[ch]) ? sum_from(k, plane, s, mean[ch]) : 0.0;
    };
    if (in_memory_order) {
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
        if (correct)
            for (int64_t ch = 0; ch < c; ++ch) correct_channel(ch, x_minus_mean[ch]);
        if (batch_statistics) {
            parallel_for(n * c, threads, [&](int64_t plane) {
                const int64_t ch = plane % c;
                const DxConstants g = dx_constants(ch);
                k.backward_dx(x + plane * s, dy + plane * s, dx + plane * s, s, mean[ch], rstd[ch], nullptr, g.w,
                              g.a, g.b, stream);
            });
        }
    } else {
        parallel_for(c, threads, [&](int64_t ch) {
            double x_minus_mean = 0;
            for (int64_t i = 0; i < n; ++i) {
                const int64_t offset = (i * c + ch) * s;
                if (stream && i + 1 < n) {
                    prefetch(x + offset + c * s, s);
                    prefetch(dy + offset + c * s, s);
                }
                x_minus_mean += plane_shift_sum(x + offset, ch);
                k.backward_sums(x + offset, dy + offset, s, mean[ch], rstd[ch], nullptr, &sums.db[ch],
                                &sums.dw[ch], nullptr, nullptr, false);
            }
            if (!batch_statistics) return;
            if (correct) correct_channel(ch, x_minus_mean);
            const DxConstants g = dx_constants(ch);
            for (int64_t i = 0; i < n; ++i) {
                const int64_t offset = (i * c + ch) * s;
                k.backward_dx(x + offset, dy + offset, dx + offset, s, mean[ch], rstd[ch], nullptr, g.w, g.a, g.b,
                              stream);
            }
        });
    }
    if (!batch_statistics) {
        ChannelConstants cc(frame, c);
        for (int64_t ch = 0; ch < c; ++ch) cc.set(ch, CentringConstants{0.0f, 0.0f, rstd[ch]});
        apply_planes(k, dy, dx, n, c, s, threads, cc, weight, nullptr);
    }
    sums.write(k, dweight, dbias);
    return NORM4J_OK;
}
