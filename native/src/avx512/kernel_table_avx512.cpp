// The AVX-512 kernel table NATIVE dispatches to on CPUs with AVX-512F (and AVX2/FMA).
#include "kernels_avx512.h"

namespace norm4j::NORM4J_AVX512_SET {

NORM4J_KERNEL_TABLE(NORM4J_AVX512_SET_NAME);

}  // namespace norm4j::NORM4J_AVX512_SET
