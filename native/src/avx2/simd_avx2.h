// Small AVX2 helpers shared by the AVX2 kernels. Only included from files compiled with
// -mavx2 -mfma.
#ifndef NORM4J_SIMD_AVX2_H
#define NORM4J_SIMD_AVX2_H

#include <immintrin.h>
#include <cstdint>

namespace norm4j::avx2 {

// Horizontal sum of four doubles in a fixed order: ((a0 + a1) + (a2 + a3)).
inline double reduce_add(__m256d v) {
    __m128d lo = _mm256_castpd256_pd128(v);
    __m128d hi = _mm256_extractf128_pd(v, 1);
    __m128d pair = _mm_add_pd(_mm_unpacklo_pd(lo, hi), _mm_unpackhi_pd(lo, hi));  // a0+a2, a1+a3
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

// Mask that keeps the first n (0..8) lanes, for loads and stores of a row's tail.
inline __m256i tail_mask(int64_t n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane);
}

}  // namespace norm4j::avx2

#endif
