// NATIVE group norm (instance norm is the case groups = channels): statistics per sample and
// group of channels. Channels-first groups are one contiguous block each; channels-last
// groups are gathered column-wise, channel sums first, then combined per group.
#include <algorithm>
#include <type_traits>

#include "../api_checks.h"
#include "../kernels.h"
#include "../storage_runs.h"
#include "../threading.h"
#include "activation_pass.h"
#include "channel_constants.h"
#include "double_normalize.h"
#include "gradient_sums.h"
#include "group_norm_forward.h"
#include "mean_correction.h"
#include "segment_statistics.h"
#include "stored_rows.h"
#include "typed_column_kernels.h"

namespace norm4j {

namespace {

void group_norm_nchw(const KernelTable &k, const float *x, float *y, int64_t n, int64_t c,
                     int64_t s, int64_t groups, const float *weight, const float *bias, float eps,
                     float *mean, float *rstd, float *var, int activation) {
    const int64_t cg = c / groups;
    const int64_t count = cg * s;
    const int threads = threads_for(n * c * s);  // sample-groups are independent
    parallel_for(n * groups, threads, [&](int64_t ig) {
        const int64_t i = ig / groups, g = ig % groups;
        const int64_t offset = (i * c + g * cg) * s;
        const MeanVariance mv = segments_mean_variance(k, x + offset, 1, count, count);
        const CentringConstants cst = centring_constants(mv.mean, mv.var, eps);
        save_group_statistics(i * groups + g, mv.mean, mv.var, cst, mean, rstd, var);
        for (int64_t j = 0; j < cg; ++j) {
            const int64_t ch = g * cg + j;
            normalize_plane(k, x + offset + j * s, y + offset + j * s, s, cst, weight_of(weight, ch), bias_of(bias, ch),
                            false, activation);
        }
    });
}

// One channels-last sample's group statistics (its [s, c] rows stored as T): one pass about each
// group's first value where pivoted_mean_variance accepts every group, else channel sums, then
// centred squares, on the sample widened to f32 where it is stored narrower. The result is taken
// from `out` (the caller's frame).
template <typename T>
MeanVariance *sample_group_statistics(const KernelTable &k, const T *xi, int64_t c, int64_t s, int64_t groups,
                                      ScratchFrame &out) {
    const int64_t cg = c / groups;
    const GroupCount count(static_cast<double>(cg) * static_cast<double>(s));
    MeanVariance *const stats = out.array<MeanVariance>(groups);
    ScratchFrame frame;
    double *const s1 = frame.array<double>(c, 0.0), *const s2 = frame.array<double>(c, 0.0);
    float *const pivot = frame.array<float>(c);
    for (int64_t ch = 0; ch < c; ++ch) pivot[ch] = value_of(xi[ch - ch % cg]);
    column_pivoted_sums_of(k, xi, s, c, pivot, s1, s2);
    auto group_total = [&](const double *per_channel, int64_t g) {
        double total = 0;
        for (int64_t j = 0; j < cg; ++j) total += per_channel[g * cg + j];
        return total;
    };
    // A term's chain: its channel's sum over the s positions, then the group's cg channels added.
    const double chain = static_cast<double>(s) + static_cast<double>(cg);
    bool accepted = true;
    for (int64_t g = 0; g < groups && accepted; ++g)
        accepted = pivoted_mean_variance(pivot[g * cg], group_total(s1, g), group_total(s2, g), count, chain,
                                         &stats[g]);
    if (accepted) return stats;

    const float *const xf = row_floats(k, xi, s * c, std::is_same_v<T, float> ? nullptr : frame.array<float>(s * c));
    double *const channel_mean = frame.array<double>(c);
    std::fill(s1, s1 + c, 0.0);
    k.column_sums(xf, s, c, s1);
    for (int64_t g = 0; g < groups; ++g) {
        stats[g].mean = group_total(s1, g) / count.n;
        for (int64_t j = 0; j < cg; ++j) channel_mean[g * cg + j] = stats[g].mean;
    }
    std::fill(s2, s2 + c, 0.0);
    k.column_centred_square_sums(xf, s, c, channel_mean, s2);
    for (int64_t g = 0; g < groups; ++g) stats[g].var = group_total(s2, g) / count.n;
    return stats;
}

// Channels-last group norm forward on x and y stored as T (f32, bf16 or f16): the f32 call's
// arithmetic on the values as stored, each output rounded once; samples in parallel.
template <typename T>
void group_norm_nhwc(const KernelTable &k, const T *x, T *y, int64_t n, int64_t c, int64_t s, int64_t groups,
                     const float *weight, const float *bias, float eps, float *mean, float *rstd, float *var,
                     int activation) {
    const int64_t cg = c / groups;
    const int threads = threads_for(n * c * s);  // samples are independent
    const bool from_memory = outgrows_cache(n * c * s, 2 * static_cast<int64_t>(sizeof(T)));
    parallel_for(n, threads, [&](int64_t i) {
        const T *xi = x + i * s * c;
        ScratchFrame frame;  // this thread's
        const MeanVariance *const stats = sample_group_statistics(k, xi, c, s, groups, frame);
        ColumnAffine affine(frame, c);
        CentringConstants *const per_channel = frame.array<CentringConstants>(c);
        bool in_double = false;
        for (int64_t g = 0; g < groups; ++g) {
            const CentringConstants cst = centring_constants(stats[g].mean, stats[g].var, eps);
            save_group_statistics(i * groups + g, stats[g].mean, stats[g].var, cst, mean, rstd, var);
            in_double = in_double || cst.in_double;
            for (int64_t ch = g * cg; ch < (g + 1) * cg; ++ch) {
                affine.set(ch, cst, weight_of(weight, ch), bias_of(bias, ch));
                per_channel[ch] = cst;
            }
        }
        T *const yi = y + i * s * c;
        if (in_double) {  // the whole sample: its groups interleave in every row
            constexpr bool kF32 = std::is_same_v<T, float>;
            const float *const xf = row_floats(k, xi, s * c, kF32 ? nullptr : frame.array<float>(s * c));
            float *const out = kF32 ? reinterpret_cast<float *>(yi) : frame.array<float>(s * c);
            normalize_columns_in_double(xf, out, s, c, per_channel, weight, bias);
            activate_block(k, out, s * c, activation);
            store_row(k, out, yi, s * c);
            return;
        }
        affine.wrap();
        normalize_columns_of(k, xi, yi, s, c, affine, from_memory, activation);
    });
}

}  // namespace

void group_norm_nhwc_stored(const KernelTable &k, const void *x, void *y, int type, int64_t n, int64_t c, int64_t s,
                            int64_t groups, const float *weight, const float *bias, float eps, float *mean, float *rstd,
                            float *var, int activation) {
    with_stored_type(type, x, y, [&](auto xs, auto ys) {
        group_norm_nhwc(k, xs, ys, n, c, s, groups, weight, bias, eps, mean, rstd, var, activation);
    });
}

}  // namespace norm4j

extern "C" int norm4j_group_norm_forward(const float *x, float *y, int64_t n, int64_t c,
                                         int64_t s, int64_t groups, int layout,
                                         const float *weight, const float *bias, float eps,
                                         float *mean, float *rstd, float *var, int activation) {
    using namespace norm4j;
    bool empty = false;
    const int status = check_channels_call(x, y, n, c, s, layout, eps, mean, rstd, &empty);
    if (status != NORM4J_OK) return status;
    if (!valid_activation(activation)) return fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    if (groups <= 0 || (c > 0 && c % groups != 0))
        return fail(NORM4J_ERR_ARGUMENT, "groups must be positive and divide the channels");
    if (empty) return NORM4J_OK;
    const KernelTable &k = active_kernels();
    if (layout == NORM4J_LAYOUT_NCHW)
        group_norm_nchw(k, x, y, n, c, s, groups, weight, bias, eps, mean, rstd, var, activation);
    else
        group_norm_nhwc(k, x, y, n, c, s, groups, weight, bias, eps, mean, rstd, var, activation);
    return NORM4J_OK;
}

namespace norm4j {

namespace {

struct Coefficients {
    float a, b;
};

// Group g's a and b (kernels.h: backward_dx) from its channels' sums of dy and dy * xhat in sample,
// after the group's xhat shift (mean_correction.h): each channel's dweight less shift times its sum
// of dy, then a less shift b. A shift of 0 leaves the sums, and the bits, as they are.
Coefficients group_coefficients(int64_t g, int64_t cg, double count, const float *weight,
                                const ParamGradients &sample, double shift) {
    if (shift != 0.0)
        for (int64_t ch = g * cg; ch < (g + 1) * cg; ++ch) sample.dw[ch] -= shift * sample.db[ch];
    double sg = 0, sgx = 0;
    for (int64_t ch = g * cg; ch < (g + 1) * cg; ++ch) {
        const double w = weight_of(weight, ch);
        sg += w * sample.db[ch];
        sgx += w * sample.dw[ch];
    }
    const double a = sg / count, b = sgx / count;
    return {static_cast<float>(shift == 0.0 ? a : a - shift * b), static_cast<float>(b)};
}


// Where a backward unit's data lie (a channels-first sample-group, a channels-last sample: the
// `values` values from flat position `first`): open gives f32 x, dy and dx for it, close writes dx
// back. The f32 call's units are the tensors themselves; StoredUnits widens x and dy stored as
// another type into the thread's frame (dx formed over its dy there) and rounds dx out.
struct UnitData {
    const float *x, *dy;
    float *dx;
};

struct F32Units {
    static constexpr bool kInScratch = false;
    const float *x, *dy;
    float *dx;
    UnitData open(int64_t first, int64_t, ScratchFrame &) const { return {x + first, dy + first, dx + first}; }
    void close(const UnitData &, int64_t, int64_t) const {}
};

struct StoredUnits {
    static constexpr bool kInScratch = true;  // in cache: read and written through it
    const KernelTable &k;
    const void *x, *dy;
    void *dx;
    int x_type, dy_type, dx_type;
    UnitData open(int64_t first, int64_t values, ScratchFrame &frame) const {
        float *const bx = frame.array<float>(values), *const bdy = frame.array<float>(values);
        widen_run(k, x, x_type, first, bx, values);
        widen_run(k, dy, dy_type, first, bdy, values);
        return {bx, bdy, bdy};
    }
    void close(const UnitData &u, int64_t first, int64_t values) const { round_run(k, u.dx, dx, dx_type, first, values); }
};

int check_group_backward_call(const void *x, const void *dy, const void *dx, int64_t n, int64_t c, int64_t s,
                              int64_t groups, int layout, const float *mean, const float *rstd, int activation,
                              bool *empty) {
    if (!valid_layout(layout)) return fail(NORM4J_ERR_ARGUMENT, "unknown layout");
    if (!valid_activation(activation)) return fail(NORM4J_ERR_ARGUMENT, "unknown activation");
    if (groups <= 0 || (c > 0 && c % groups != 0))
        return fail(NORM4J_ERR_ARGUMENT, "groups must be positive and divide the channels");
    return check_backward_call(x, dy, dx, n, c, s, mean != nullptr && rstd != nullptr, empty);
}

// Channels-last backward, samples in parallel: each sample's parameter-gradient sums start
// cleared in its partials, its channels' mean and rstd are set in a ColumnGradient of the
// thread's frame, and sample(i, grad, partials, frame) does the rest.
template <typename Sample>
void channels_last_backward(int64_t n, int64_t c, int64_t groups, const float *mean, const float *rstd,
                            const ChunkParamGradients &per_sample, int threads, Sample sample) {
    const int64_t cg = c / groups;
    parallel_for(n, threads, [&](int64_t i) {
        const ParamGradients partials = per_sample.start(i);
        ScratchFrame mine;  // this thread's
        ColumnGradient grad(mine, c);
        for (int64_t ch = 0; ch < c; ++ch) {
            grad.mean[ch] = mean[i * groups + ch / cg];
            grad.rstd[ch] = rstd[i * groups + ch / cg];
        }
        sample(i, grad, partials, mine);
    });
}

// One sample's channels-last backward ([s, c] rows of x, dy and dx stored as T; dy the
// activation's gradient where one is fused), mean and rstd its groups': the channels' sums into
// `sample`, then dx. The sums read the sample from memory (in a call too large for the caches);
// dx then finds it in cache.
template <typename T>
void channels_last_sample(const KernelTable &k, const T *x, const T *dy, T *dx, int64_t c, int64_t s, int64_t groups,
                          double count, const float *weight, const float *mean, const float *rstd,
                          const ParamGradients &sample, ColumnGradient &grad, bool from_memory, ScratchFrame &mine) {
    const int64_t cg = c / groups;
    bool correct = false;
    for (int64_t g = 0; g < groups && !correct; ++g) correct = mean_rounding_matters(mean[g], rstd[g]);
    double *const x_minus_mean = correct ? mine.array<double>(c, 0.0) : nullptr;
    if (!correct) {
        column_backward_sums_of(k, x, dy, s, c, grad.mean.data(), grad.rstd.data(), sample.db, sample.dw, from_memory);
    } else {
        // Tile by tile, the sums of x - mean just ahead of the backward sums, which read the tile
        // from cache (mean_correction.h).
        double *const squares = mine.array<double>(c, 0.0);
        const int64_t tile = std::max<int64_t>(1, kCorrectionTileValues / c);
        for (int64_t t0 = 0; t0 < s; t0 += tile) {
            const int64_t tn = std::min(tile, s - t0);
            column_pivoted_sums_of(k, x + t0 * c, tn, c, grad.mean.data(), x_minus_mean, squares);
            column_backward_sums_of(k, x + t0 * c, dy + t0 * c, tn, c, grad.mean.data(), grad.rstd.data(), sample.db,
                                    sample.dw, from_memory);
        }
    }
    for (int64_t g = 0; g < groups; ++g) {
        double shift = 0.0;
        if (correct && mean_rounding_matters(mean[g], rstd[g])) {
            double group_sum = 0;
            for (int64_t ch = g * cg; ch < (g + 1) * cg; ++ch) group_sum += x_minus_mean[ch];
            shift = xhat_shift(group_sum, count, mean[g], rstd[g]);
        }
        const Coefficients co = group_coefficients(g, cg, count, weight, sample, shift);
        for (int64_t ch = g * cg; ch < (g + 1) * cg; ++ch)
            grad.set(ch, grad.mean[ch], grad.rstd[ch], weight_of(weight, ch), co.a, co.b);
    }
    grad.wrap();
    column_backward_dx_of(k, x, dy, dx, s, c, grad, from_memory, false);
}

// The backward over the units' data: the same arithmetic on each unit wherever it lies, so
// StoredUnits give the f32 call's bits on the widened data, dx rounded once.
template <typename Units>
void group_norm_backward_of(const KernelTable &k, const Units &units, int64_t n, int64_t c, int64_t s, int64_t groups,
                            int layout, const float *weight, const float *bias, const float *mean, const float *rstd,
                            float *dweight, float *dbias, int activation) {
    const int64_t cg = c / groups;
    const double count = static_cast<double>(cg) * static_cast<double>(s);
    // Samples are independent; each keeps its parameter-gradient sums, added in sample order.
    ScratchFrame frame;
    const ChunkParamGradients per_sample(frame, n, c);
    const int threads = threads_for(n * c * s);
    const bool from_memory = !Units::kInScratch && backward_from_memory(n * c * s);
    if (layout == NORM4J_LAYOUT_NCHW) {
        // A sample-group is cg contiguous planes (16 channels of 32 x 32: 64 KB of x): its sums,
        // then its dx while they are in cache, sample-groups in parallel. Each sets only its own
        // channels' sums in its sample's partials. A fused activation's gradient is formed first,
        // into this thread's scratch, and read from there.
        parallel_for(n * groups, threads, [&](int64_t ig) {
            const int64_t i = ig / groups, g = ig % groups;
            const ParamGradients sample = per_sample.at(i);
            const int64_t base = (i * c + g * cg) * s;
            ScratchFrame mine;
            const UnitData u = units.open(base, cg * s, mine);
            const float *const dys = planes_activation_gradient(k, u.x, u.dy, cg, s, g * cg, mean[ig], rstd[ig],
                                                                weight, bias, activation, mine);
            const bool correct = mean_rounding_matters(mean[ig], rstd[ig]);
            double x_minus_mean = 0;
            for (int64_t j = 0; j < cg; ++j) {
                double sum_dy = 0, sum_dy_xhat = 0;
                if (correct) x_minus_mean += sum_from(k, u.x + j * s, s, mean[ig]);
                k.backward_sums(u.x + j * s, dys + j * s, s, mean[ig], rstd[ig], nullptr, &sum_dy, &sum_dy_xhat,
                                nullptr, nullptr, false);
                sample.db[g * cg + j] = sum_dy;
                sample.dw[g * cg + j] = sum_dy_xhat;
            }
            const double shift = correct ? xhat_shift(x_minus_mean, count, mean[ig], rstd[ig]) : 0.0;
            const Coefficients co = group_coefficients(g, cg, count, weight, sample, shift);
            for (int64_t j = 0; j < cg; ++j)
                k.backward_dx(u.x + j * s, dys + j * s, u.dx + j * s, s, mean[ig], rstd[ig], nullptr,
                              weight_of(weight, g * cg + j), co.a, co.b, from_memory);
            units.close(u, base, cg * s);
        });
        per_sample.write_total(k, dweight, dbias);
        return;
    }
    channels_last_backward(n, c, groups, mean, rstd, per_sample, threads,
                           [&](int64_t i, ColumnGradient &grad, const ParamGradients &sample, ScratchFrame &mine) {
                               const int64_t base = i * c * s;
                               const UnitData u = units.open(base, c * s, mine);
                               const float *const dys =
                                   rows_activation_gradient(k, u.x, u.dy, s, c, grad.mean.data(), grad.rstd.data(),
                                                            weight, bias, activation, mine);
                               channels_last_sample(k, u.x, dys, u.dx, c, s, groups, count, weight, mean + i * groups,
                                                    rstd + i * groups, sample, grad, from_memory, mine);
                               units.close(u, base, c * s);
                           });
    per_sample.write_total(k, dweight, dbias);
}

// Channels-last group norm backward on x, dy and dx of one storage type T, read and written as
// stored (no fused activation): the f32 call's arithmetic on the widened values, dx rounded once.
template <typename T>
void channels_last_backward_stored(const KernelTable &k, const T *x, const T *dy, T *dx, int64_t n, int64_t c,
                                   int64_t s, int64_t groups, const float *weight, const float *mean,
                                   const float *rstd, float *dweight, float *dbias) {
    const double count = static_cast<double>(c / groups) * static_cast<double>(s);
    ScratchFrame frame;
    const ChunkParamGradients per_sample(frame, n, c);
    const bool from_memory = outgrows_cache(n * c * s, 3 * static_cast<int64_t>(sizeof(T)));
    channels_last_backward(n, c, groups, mean, rstd, per_sample, threads_for(n * c * s),
                           [&](int64_t i, ColumnGradient &grad, const ParamGradients &sample, ScratchFrame &mine) {
                               const int64_t base = i * c * s;
                               channels_last_sample(k, x + base, dy + base, dx + base, c, s, groups, count, weight,
                                                    mean + i * groups, rstd + i * groups, sample, grad, from_memory,
                                                    mine);
                           });
    per_sample.write_total(k, dweight, dbias);
}

}  // namespace

}  // namespace norm4j

extern "C" int norm4j_group_norm_backward(const float *x, const float *dy, float *dx, int64_t n,
                                          int64_t c, int64_t s, int64_t groups, int layout,
                                          const float *weight, const float *bias, const float *mean,
                                          const float *rstd, float *dweight, float *dbias, int activation) {
    using namespace norm4j;
    clear_last_error();
    bool empty = false;
    const int status = check_group_backward_call(x, dy, dx, n, c, s, groups, layout, mean, rstd, activation, &empty);
    if (status != NORM4J_OK || empty) return status;
    group_norm_backward_of(active_kernels(), F32Units{x, dy, dx}, n, c, s, groups, layout, weight, bias, mean, rstd,
                           dweight, dbias, activation);
    return NORM4J_OK;
}

extern "C" int norm4j_group_norm_backward_stored(const void *x, int x_type, const void *dy, int dy_type, void *dx,
                                                 int dx_type, int64_t n, int64_t c, int64_t s, int64_t groups,
                                                 int layout, const float *weight, const float *bias, const float *mean,
                                                 const float *rstd, float *dweight, float *dbias, int activation) {
    using namespace norm4j;
    if (x_type == NORM4J_F32 && dy_type == NORM4J_F32 && dx_type == NORM4J_F32)
        return norm4j_group_norm_backward(static_cast<const float *>(x), static_cast<const float *>(dy),
                                          static_cast<float *>(dx), n, c, s, groups, layout, weight, bias, mean, rstd,
                                          dweight, dbias, activation);
    int status = check_backward_storage_types(x_type, dy_type, dx_type);
    if (status != NORM4J_OK) return status;
    bool empty = false;
    status = check_group_backward_call(x, dy, dx, n, c, s, groups, layout, mean, rstd, activation, &empty);
    if (status != NORM4J_OK || empty) return status;
    const KernelTable &k = active_kernels();
    if (layout == NORM4J_LAYOUT_NHWC && activation == NORM4J_ACTIVATION_NONE && x_type == dy_type &&
        x_type == dx_type) {
        with_stored_type(x_type, x, dx, [&](auto xs, auto dxs) {
            channels_last_backward_stored(k, xs, static_cast<decltype(xs)>(dy), dxs, n, c, s, groups, weight, mean, rstd,
                                          dweight, dbias);
        });
        return NORM4J_OK;
    }
    group_norm_backward_of(k, StoredUnits{k, x, dy, dx, x_type, dy_type, dx_type}, n, c, s, groups, layout, weight,
                           bias, mean, rstd, dweight, dbias, activation);
    return NORM4J_OK;
}
