// The kernels written once (native/src/generic), made AVX-512 kernels by their vector layer.
#include "kernels_avx512.h"

namespace norm4j::NORM4J_AVX512_SET {

constexpr int kRowsAtOnce = kAvx512BackwardRowsAtOnce;

#include "../generic/activation_kernels.h"
#include "../generic/backward_kernels.h"
#include "../generic/column_kernels.h"
#include "../generic/convert_kernels.h"
#include "../generic/elementwise_kernels.h"
#include "../generic/segment_kernels.h"

}  // namespace norm4j::NORM4J_AVX512_SET
