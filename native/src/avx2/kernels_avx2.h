// What every AVX2 kernel file includes: the kernel table's declarations (kernels.h, which
// declares norm4j::avx2's functions), the tuning constants, the AVX2 vector layer and the
// helpers written over it. Only included from files compiled with -mavx2 -mfma.
#ifndef NORM4J_KERNELS_AVX2_H
#define NORM4J_KERNELS_AVX2_H

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "../flag_dispatch.h"
#include "../kernels.h"
#include "../tuning.h"
#include "../vector/vector_avx2.h"

namespace norm4j::avx2 {
#include "../generic/vector_helpers.h"
}  // namespace norm4j::avx2

#endif
