// One NATIVE batch norm backward call over x logically [n, c, s]: its arguments, the per-channel
// sums and the saved mean's correction, and the passes that fill the sums and write dx. The plain
// and fused backward (batch_norm_backward.cpp) run the sums and dx together; the split-phase calls
// (batch_norm_phases.cpp) run them apart, with sums merged across processes in between.
#ifndef NORM4J_BATCH_NORM_BACKWARD_H
#define NORM4J_BATCH_NORM_BACKWARD_H

#include <cstdint>
#include <functional>

#include "../kernels.h"
#include "../scratch.h"
#include "../threading.h"
#include "channel_constants.h"
#include "gradient_sums.h"
#include "mean_correction.h"

namespace norm4j {

// Channels-last x, dy and dx stored as bf16 or f16 (or f32 beside another type), which the passes
// of channels_last read and write: as stored where all three share one type (one_type), else a
// tile or block of rows at a time widened into scratch, dx rounded out.
struct StoredColumns {
    const void *x, *dy;
    void *dx;
    int x_type, dy_type, dx_type;

    // The half-precision type x, dy and dx all have, or NORM4J_F32 where they differ.
    int one_type() const { return x_type == dy_type && dy_type == dx_type ? x_type : NORM4J_F32; }
};

// One backward call: its arguments, the per-channel sums and the saved mean's correction.
struct BatchNormBackward {
    const KernelTable &k;
    const float *x, *dy;
    float *dx;
    int64_t n, c, s;
    const float *weight, *mean, *rstd;
    bool batch_statistics;
    int threads;
    double count;
    ScratchFrame &frame;
    ParamGradients sums;
    // Channels whose saved mean's rounding matters take sum (x - mean) as well (mean_correction.h):
    // shift[ch] is then the xhat shift it recovers, 0 elsewhere; null when no channel needs it.
    double *shift = nullptr;
    // The fused batch_norm_relu's: the forward's bias and its activation (NORM4J_ACTIVATION_NONE
    // for plain batch norm), whose gradient channels_first_by_channel forms in scratch.
    const float *bias = nullptr;
    int activation = NORM4J_ACTIVATION_NONE;
    // Where channels_last reads and writes data stored as another type than f32 (x, dy and dx are
    // then null); null for f32 data.
    const StoredColumns *stored = nullptr;

    BatchNormBackward(const KernelTable &kernels, const float *x_, const float *dy_, float *dx_, int64_t n_,
                      int64_t c_, int64_t s_, const float *weight_, const float *mean_, const float *rstd_,
                      bool batch_statistics_, ScratchFrame &frame_)
        : k(kernels), x(x_), dy(dy_), dx(dx_), n(n_), c(c_), s(s_), weight(weight_), mean(mean_), rstd(rstd_),
          batch_statistics(batch_statistics_), threads(threads_for(n_ * c_ * s_)),
          count(static_cast<double>(n_) * static_cast<double>(s_)), frame(frame_), sums(frame_, c_) {
        bool correct = false;
        for (int64_t ch = 0; batch_statistics && ch < c && !correct; ++ch) correct = mean_rounding_matters(mean[ch], rstd[ch]);
        if (correct) shift = frame.array<double>(c, 0.0);
    }

    // dweight = sum dy (xhat - shift); dx's a less shift b (mean_correction.h).
    void correct_channel(int64_t ch, double sum_x_minus_mean) {
        if (!mean_rounding_matters(mean[ch], rstd[ch])) return;
        shift[ch] = xhat_shift(sum_x_minus_mean, count, mean[ch], rstd[ch]);
        sums.dw[ch] -= shift[ch] * sums.db[ch];
    }

    // A channel's weight and the constants of its dx (backward_dx's a and b; a less shift b where
    // the mean is corrected), in double: the channels-first kernels take them rounded once to f32,
    // the channels-last ones fold them with rstd first (ColumnGradient).
    struct DxTerms {
        float w;
        double a, b;
    };
    DxTerms dx_terms(int64_t ch) const {
        const float w = weight_of(weight, ch);
        const double a = w * sums.db[ch] / count, b = w * sums.dw[ch] / count;
        return DxTerms{w, shift != nullptr && shift[ch] != 0.0 ? a - shift[ch] * b : a, b};
    }

    void set_gradient(ColumnGradient &grad, int64_t ch) const {
        const DxTerms t = dx_terms(ch);
        grad.set(ch, mean[ch], rstd[ch], t.w, t.a, t.b);
    }

    // A plane's sum (x - mean) where its channel's mean needs correcting, read just before the
    // plane's backward sums read it again from cache.
    double plane_shift_sum(const float *plane, int64_t ch) const {
        return shift != nullptr && mean_rounding_matters(mean[ch], rstd[ch]) ? sum_from(k, plane, s, mean[ch]) : 0.0;
    }

    void channels_last();
    // Where x, dy and dx are stored as one half-precision type: its NORM4J_* code, else NORM4J_F32
    // (f32 data, or types that differ).
    int one_stored_type() const { return stored != nullptr ? stored->one_type() : NORM4J_F32; }
    // Whether the call's `streams` arrays of data (at their stored width) outgrow the caches.
    bool from_memory_with(int streams) const;
    // sum(x rows, dy rows, rows) on rows [r0, r0 + nr): pointers of the stored type where the data
    // are f32 or of one half-precision type, else f32 rows widened into frame.
    template <typename Sum>
    void with_rows(int64_t r0, int64_t nr, ScratchFrame &frame, Sum sum) const;
    // Rows [r0, r0 + nr) of the stored x and dy widened into frame.
    void widen_rows(int64_t r0, int64_t nr, ScratchFrame &frame, const float **x_rows, const float **dy_rows) const;
    // The output pass of channels_last: pass(x rows, dy rows, dx rows, rows, from_memory) on shares
    // of the rows as they lie (pointers of the stored type, as with_rows), or on blocks of rows
    // widened into scratch (dx formed over its dy there), dx then rounded out.
    template <typename Pass>
    void for_each_row_block(bool from_memory, Pass pass);
    void columns_dx(ColumnGradient &grad, bool from_memory);
    void planes_dx(bool from_memory);
    void channel_sums_of_columns(bool from_memory, const std::function<void(int64_t, float)> &finish);
    void channels_first_by_channel(bool from_memory);
    void channels_first_in_memory_order(bool from_memory);
    void constant_statistics_planes();
};

}  // namespace norm4j

#endif
