// The AVX-512 kernel table NATIVE dispatches to on CPUs with AVX-512F (and AVX2/FMA).
#include "kernels_avx512.h"

namespace norm4j::avx512 {

NORM4J_KERNEL_TABLE("avx512");

}  // namespace norm4j::avx512
