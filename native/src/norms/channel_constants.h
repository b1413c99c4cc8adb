// Per-channel constants: centring constants per channel, their folded and wrapped forms for the
// channels-last kernels (kernels.h: normalize_columns), and the statistics bookkeeping shared
// by batch, group and instance norm.
#ifndef NORM4J_CHANNEL_CONSTANTS_H
#define NORM4J_CHANNEL_CONSTANTS_H

#include <cstdint>

#include "../kernels.h"
#include "../row_statistics.h"
#include "../scratch.h"

namespace norm4j {

struct ChannelConstants {
    CentringConstants *all;

    ChannelConstants(ScratchFrame &frame, int64_t channels) : all(frame.array<CentringConstants>(channels)) {}

    void set(int64_t channel, const CentringConstants &c) { all[channel] = c; }

    const CentringConstants &get(int64_t channel) const { return all[channel]; }
};

// A channel's weight: 1 without weights; its bias: 0 without biases.
inline float weight_of(const float *weight, int64_t channel) { return weight != nullptr ? weight[channel] : 1.0f; }
inline float bias_of(const float *bias, int64_t channel) { return bias != nullptr ? bias[channel] : 0.0f; }

// An array of `channels` values followed by kColumnWrap more that repeat it from the start.
class WrappedArray {
public:
    WrappedArray(ScratchFrame &frame, int64_t channels)
        : data_(frame.array<float>(channels + kColumnWrap)), channels_(channels) {}

    float &operator[](int64_t channel) { return data_[channel]; }
    const float *data() const { return data_; }

    // Fills the wrapped tail, once every channel is set.
    void wrap() {
        for (int64_t j = channels_; j < channels_ + kColumnWrap; ++j) data_[j] = data_[j % channels_];
    }

private:
    float *data_;
    int64_t channels_;
};

// y = (x - hi) * scale + shift per channel, for normalize_columns. Folding rstd, w and b into
// two constants leaves one subtraction and one fma per value. Each constant is computed in double
// and rounded once, so the output carries at most four f32 roundings of its scale (x - hi,
// scale, shift, the fma) against five unfolded; x - hi itself is exact wherever the group is
// ill-conditioned (x and hi within a factor of two), and the small lo * rstd term moves into
// shift whole. A constant group (x = hi, lo = 0) still gives exactly b.
struct ColumnAffine {
    WrappedArray hi, scale, shift;

    ColumnAffine(ScratchFrame &frame, int64_t channels) : hi(frame, channels), scale(frame, channels), shift(frame, channels) {}

    void set(int64_t ch, const CentringConstants &c, float w, float b) {
        const double s = static_cast<double>(c.rstd) * w;
        hi[ch] = c.mean_hi;
        scale[ch] = static_cast<float>(s);
        // lo is 0 wherever the mean is a float (a constant group among them): no 0 * inf there.
        shift[ch] = static_cast<float>(c.mean_lo == 0.0f ? b : b - static_cast<double>(c.mean_lo) * s);
    }

    void wrap() {
        hi.wrap();
        scale.wrap();
        shift.wrap();
    }
};

// dx = rstd (g - a - xhat b) with g = dy w and xhat = (x - mean) rstd, folded for
// column_backward_dx as xhat k_x + (dy k_dy + k_0): k_dy = rstd w, k_0 = -rstd a, k_x = -rstd b,
// each rounded once from double. Each term keeps the error of a few roundings of its own size,
// as the unfolded form does, and signs and non-finite values propagate as there (rstd > 0
// scales every term alike). xhat stays a product of its own: folding rstd^2 into k_x would
// overflow where rstd is huge (eps = 0, tiny variance) though dx is not.
struct ColumnGradient {
    WrappedArray mean, rstd, k_dy, k_x, k_0;

    ColumnGradient(ScratchFrame &frame, int64_t channels)
        : mean(frame, channels), rstd(frame, channels), k_dy(frame, channels), k_x(frame, channels),
          k_0(frame, channels) {}

    void set(int64_t ch, float m, float rs, float w, double a, double b) {
        mean[ch] = m;
        rstd[ch] = rs;
        k_dy[ch] = static_cast<float>(static_cast<double>(rs) * w);
        k_x[ch] = static_cast<float>(-static_cast<double>(rs) * b);
        k_0[ch] = static_cast<float>(-static_cast<double>(rs) * a);
    }

    void wrap() {
        mean.wrap();
        rstd.wrap();
        k_dy.wrap();
        k_x.wrap();
        k_0.wrap();
    }
};

// Records one group's statistics in the optional outputs (training mode).
inline void save_group_statistics(int64_t index, double mean, double var,
                                  const CentringConstants &c, float *mean_out, float *rstd_out,
                                  float *var_out) {
    store_statistics(mean_out, rstd_out, index, mean, c);
    if (var_out != nullptr) var_out[index] = static_cast<float>(var);
}

}  // namespace norm4j

#endif
