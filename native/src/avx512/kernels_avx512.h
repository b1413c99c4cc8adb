// The AVX-512 kernels' shared includes: the kernel table's declarations (kernels.h, which
// declares norm4j::avx512's functions) and the SIMD helpers.
#ifndef NORM4J_KERNELS_AVX512_H
#define NORM4J_KERNELS_AVX512_H

#include "../kernels.h"
#include "simd_avx512.h"

#endif
