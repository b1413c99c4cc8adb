// Internal kernel signatures and the dispatch table NATIVE calls through.
// Every ISA provides the same functions; dispatch.cpp picks one set at load time.
#ifndef NORM4J_KERNELS_H
#define NORM4J_KERNELS_H

#include <cstdint>

namespace norm4j {

// Arguments are already validated by the C ABI layer: sizes > 0, x and y non-null.
using LayerNormForwardFn = void (*)(const float *x, float *y, int64_t rows, int64_t cols,
                                    const float *weight, const float *bias, float eps,
                                    float *mean, float *rstd);

struct KernelTable {
    const char *name;
    LayerNormForwardFn layer_norm_forward;
};

namespace scalar {
void layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                        const float *weight, const float *bias, float eps, float *mean,
                        float *rstd);
}

namespace avx2 {
void layer_norm_forward(const float *x, float *y, int64_t rows, int64_t cols,
                        const float *weight, const float *bias, float eps, float *mean,
                        float *rstd);
}

// The table for the active ISA (see norm4j_isa_select).
const KernelTable &active_kernels();

}  // namespace norm4j

#endif
