// The AVX2/FMA kernel table NATIVE dispatches to on CPUs that have both.
#include "segment_kernels_avx2.h"

namespace norm4j::avx2 {

const KernelTable kTable = {
    "avx2",            sum,            centred_square_sum,         square_sum,
    normalize,         normalize_uniform, column_sums,           column_centred_square_sums,
    normalize_columns, column_min_max, scale_columns,
};

}  // namespace norm4j::avx2
