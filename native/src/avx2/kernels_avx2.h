// The AVX2 kernels' shared includes: the kernel table's declarations (kernels.h, which
// declares norm4j::avx2's functions) and the SIMD helpers.
#ifndef NORM4J_KERNELS_AVX2_H
#define NORM4J_KERNELS_AVX2_H

#include "../kernels.h"
#include "simd_avx2.h"

#endif
