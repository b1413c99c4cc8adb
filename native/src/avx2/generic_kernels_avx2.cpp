// The kernels written once (native/src/generic), made AVX2 kernels by their vector layer.
#include "kernels_avx2.h"

namespace norm4j::avx2 {

constexpr int kRowsAtOnce = kAvx2BackwardRowsAtOnce;

#include "../generic/activation_kernels.h"
#include "../generic/backward_kernels.h"
#include "../generic/column_kernels.h"
#include "../generic/convert_kernels.h"
#include "../generic/elementwise_kernels.h"
#include "../generic/segment_kernels.h"

}  // namespace norm4j::avx2
