// The activation of a fused batch or group norm (norm4j.h: NORM4J_ACTIVATION_*): in the forward's
// output pass (each value activated before it is stored), and in the backward's gradient at the
// recomputed pre-activation.
#ifndef NORM4J_ACTIVATION_PASS_H
#define NORM4J_ACTIVATION_PASS_H

#include <algorithm>

#include "../kernels.h"
#include "../scratch.h"
#include "channel_constants.h"

namespace norm4j {

inline bool valid_activation(int activation) {
    return activation == NORM4J_ACTIVATION_NONE || activation == NORM4J_ACTIVATION_RELU ||
           activation == NORM4J_ACTIVATION_SILU;
}

// Applies the activation to y[0, n) in place; nothing without one.
inline void activate_block(const KernelTable &k, float *y, int64_t n, int activation) {
    if (activation != NORM4J_ACTIVATION_NONE) k.activate(y, n, activation);
}

// rows channels-last rows of c values normalized with the folded constants (channel_constants.h)
// and, with an activation, through it before they are stored.
inline void normalize_columns_activated(const KernelTable &k, const float *x, float *y, int64_t rows, int64_t c,
                                        const ColumnAffine &affine, bool from_memory, int activation) {
    if (activation == NORM4J_ACTIVATION_NONE)
        k.normalize_columns(x, y, rows, c, affine.hi.data(), affine.scale.data(), affine.shift.data(), from_memory,
                            from_memory);
    else
        k.normalize_columns_activated(x, y, rows, c, affine.hi.data(), affine.scale.data(), affine.shift.data(),
                                      from_memory, from_memory, activation);
}

// A fused backward's dy for the norm's backward: dy itself without an activation; with one, dy
// times the activation's derivative at the pre-activation recomputed from x, formed into `into`
// or else the caller's frame (in cache for the backward's passes that follow): cg channels-first
// planes of s values from channel first_channel on, with one group's mean and rstd.
inline const float *planes_activation_gradient(const KernelTable &k, const float *x, const float *dy, int64_t cg,
                                               int64_t s, int64_t first_channel, float mean, float rstd,
                                               const float *weight, const float *bias, int activation,
                                               ScratchFrame &frame, float *into = nullptr) {
    if (activation == NORM4J_ACTIVATION_NONE) return dy;
    float *const dpre = into != nullptr ? into : frame.array<float>(cg * s);
    for (int64_t j = 0; j < cg; ++j) {
        const int64_t ch = first_channel + j;
        const PreActivation p{mean, rstd, weight_of(weight, ch), bias_of(bias, ch)};
        k.activation_gradient_plane(x + j * s, dy + j * s, dpre + j * s, s, p, activation);
    }
    return dpre;
}

// Per-channel pre-activation constants repeated over a tile of channels-last rows, so that the
// row kernel runs over whole tiles rather than row by row (a row of 64 channels is 4 vectors).
struct TiledColumns {
    int64_t c, tile_rows;
    float *mean, *rstd, *w, *b;

    TiledColumns(ScratchFrame &frame, int64_t c_)
        : c(c_), tile_rows(std::max<int64_t>(1, kColumnTileValues / std::max<int64_t>(c_, 1))),
          mean(frame.array<float>(tile_rows * c_)), rstd(frame.array<float>(tile_rows * c_)),
          w(frame.array<float>(tile_rows * c_)), b(frame.array<float>(tile_rows * c_)) {}

    // Channel ch's constants: stat(ch) indexes mean_of and rstd_of.
    template <typename Stat>
    void set(const float *mean_of, const float *rstd_of, Stat stat, const float *weight, const float *bias) {
        for (int64_t ch = 0; ch < c; ++ch) {
            mean[ch] = mean_of[stat(ch)];
            rstd[ch] = rstd_of[stat(ch)];
            w[ch] = weight_of(weight, ch);
            b[ch] = bias_of(bias, ch);
        }
        for (int64_t r = 1; r < tile_rows; ++r)
            for (float *a : {mean, rstd, w, b}) std::copy(a, a + c, a + r * c);
    }

    // dpre for `rows` rows from x and dy, a tile at a time.
    void gradient(const KernelTable &k, const float *x, const float *dy, float *dpre, int64_t rows,
                  int activation) const {
        const PreActivationColumns p{mean, rstd, w, b};
        for (int64_t r0 = 0; r0 < rows; r0 += tile_rows) {
            const int64_t n = std::min(tile_rows, rows - r0) * c;
            k.activation_gradient_row(x + r0 * c, dy + r0 * c, dpre + r0 * c, n, p, activation);
        }
    }
};

// The same as planes_activation_gradient over rows channels-last rows of c values, mean and rstd
// given per channel.
inline const float *rows_activation_gradient(const KernelTable &k, const float *x, const float *dy, int64_t rows,
                                             int64_t c, const float *mean, const float *rstd, const float *weight,
                                             const float *bias, int activation, ScratchFrame &frame) {
    if (activation == NORM4J_ACTIVATION_NONE) return dy;
    TiledColumns columns(frame, c);
    columns.set(mean, rstd, [](int64_t ch) { return ch; }, weight, bias);
    float *const dpre = frame.array<float>(rows * c);
    columns.gradient(k, x, dy, dpre, rows, activation);
    return dpre;
}

}  // namespace norm4j

#endif
