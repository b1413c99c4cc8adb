// Per-channel centring constants laid out for the column kernels (channels-last data), and
// the statistics bookkeeping shared by batch, group and instance norm.
#ifndef NORM4J_CHANNEL_CONSTANTS_H
#define NORM4J_CHANNEL_CONSTANTS_H

#include <cstdint>

#include "../row_statistics.h"
#include "../scratch.h"

namespace norm4j {

struct ChannelConstants {
    float *hi, *lo, *rstd;

    ChannelConstants(ScratchFrame &frame, int64_t channels)
        : hi(frame.array<float>(channels)), lo(frame.array<float>(channels)),
          rstd(frame.array<float>(channels)) {}

    void set(int64_t channel, const CentringConstants &c) {
        hi[channel] = c.mean_hi;
        lo[channel] = c.mean_lo;
        rstd[channel] = c.rstd;
    }

    CentringConstants get(int64_t channel) const {
        return CentringConstants{hi[channel], lo[channel], rstd[channel]};
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
