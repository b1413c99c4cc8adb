// The AVX2/FMA kernel table NATIVE dispatches to on CPUs that have both.
#include "kernels_avx2.h"

namespace norm4j::avx2 {

NORM4J_KERNEL_TABLE("avx2");

}  // namespace norm4j::avx2
