// What every AVX-512 kernel file includes: the kernel table's declarations (kernels.h, which
// declares the functions of norm4j::avx512 and norm4j::avx512_bf16, the two sets these files are
// compiled into; see vector_avx512.h), the tuning constants, the AVX-512 vector layer and the
// helpers written over it. Only included from files compiled with -mavx512f (and -mavx2 -mfma).
#ifndef NORM4J_KERNELS_AVX512_H
#define NORM4J_KERNELS_AVX512_H

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "../flag_dispatch.h"
#include "../kernels.h"
#include "../tuning.h"
#include "../vector/vector_avx512.h"

namespace norm4j::NORM4J_AVX512_SET {
#include "../generic/vector_helpers.h"
}  // namespace norm4j::NORM4J_AVX512_SET

#endif
