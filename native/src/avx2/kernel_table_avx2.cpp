// The AVX2/FMA kernel table NATIVE dispatches to on CPUs that have both.
#include "backward_kernels_avx2.h"
#include "segment_kernels_avx2.h"

namespace norm4j::avx2 {

const KernelTable kTable = {
    "avx2",
    sum,
    centred_square_sum,
    square_sum,
    normalize,
    normalize_uniform,
    backward_sums,
    backward_dx,
    accumulate_param_grads,
    column_sums,
    column_centred_square_sums,
    normalize_columns,
    column_backward_sums,
    column_backward_dx,
    column_min_max,
    scale_columns,
};

}  // namespace norm4j::avx2
