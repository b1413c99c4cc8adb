// The AVX-512 kernel table NATIVE dispatches to on CPUs with AVX-512F (and AVX2/FMA): avx512, or
// avx512_bf16 where these files are compiled with AVX512_BF16, BW, VL and DQ (vector_avx512.h).
#include "kernels_avx512.h"

namespace norm4j::NORM4J_AVX512_SET {

NORM4J_KERNEL_TABLE(NORM4J_AVX512_SET_NAME);

}  // namespace norm4j::NORM4J_AVX512_SET
