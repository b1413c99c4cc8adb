// The AVX2/FMA vector layer: eight floats per vector, a vector's live lanes a lane mask with a
// flag for "all of them". Only included from files compiled with -mavx2 -mfma.
//
// What the kernels written once (native/src/generic) use, defined here and in vector_avx512.h under
// the same names: kLanes, kHalfLanes; Floats, Doubles, Lanes, HalfLanes; all_lanes, first_lanes,
// whole, low_half, high_half; loadu, load, store, storeu, store_around_caches; widen_low,
// widen_high, load_widened, swap_pair_order, narrow; floats, doubles, zero_doubles, add, sub, mul,
// fma, fnma, min, max, div, round_nearest, times_pow2, where_greater, sub_live; reduce_add; and for
// half-precision storage (bf16, f16) load, store and store_around_caches. Loads and stores are overloaded on the
// pointer's type: a storage type is added by overloading them, not by writing kernels.
#ifndef NORM4J_VECTOR_AVX2_H
#define NORM4J_VECTOR_AVX2_H

#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "../storage_types.h"

namespace norm4j::avx2 {

constexpr int64_t kLanes = 8;
constexpr int64_t kHalfLanes = 4;

using Floats = __m256;
using Doubles = __m256d;

// The live lanes of a vector: a mask of 32-bit lanes, and whether all are live (plain loads and
// stores then: the masked forms are much slower on some CPUs). Kernels pass all_lanes() in their
// whole-vector loops, so `whole` is a constant there and the test compiles away.
struct Lanes {
    __m256i bits;
    bool whole;
};
// The same for a vector of four doubles (64-bit lanes).
struct HalfLanes {
    __m256i bits;
    bool whole;
};

inline Lanes all_lanes() { return {_mm256_set1_epi32(-1), true}; }
// The first n lanes (n <= 0: none, n >= 8: all).
inline Lanes first_lanes(int64_t n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int clamped = n < 0 ? 0 : (n > 8 ? 8 : static_cast<int>(n));
    return {_mm256_cmpgt_epi32(_mm256_set1_epi32(clamped), lane), n >= 8};
}
inline bool whole(Lanes m) { return m.whole; }
inline HalfLanes low_half(Lanes m) { return {_mm256_cvtepi32_epi64(_mm256_castsi256_si128(m.bits)), m.whole}; }
inline HalfLanes high_half(Lanes m) { return {_mm256_cvtepi32_epi64(_mm256_extracti128_si256(m.bits, 1)), m.whole}; }

// ---- memory (missing lanes load as zero)
inline Floats loadu(const float *p) { return _mm256_loadu_ps(p); }
inline Floats load(const float *p, Lanes m) { return m.whole ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, m.bits); }
inline void store(float *p, Lanes m, Floats v) {
    if (m.whole) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, m.bits, v);
}
inline void store_around_caches(float *p, Floats v) { _mm256_stream_ps(p, v); }
inline Doubles loadu(const double *p) { return _mm256_loadu_pd(p); }
inline void storeu(double *p, Doubles v) { _mm256_storeu_pd(p, v); }
inline Doubles load(const double *p, HalfLanes m) { return m.whole ? _mm256_loadu_pd(p) : _mm256_maskload_pd(p, m.bits); }
inline void store(double *p, HalfLanes m, Doubles v) {
    if (m.whole) _mm256_storeu_pd(p, v);
    else _mm256_maskstore_pd(p, m.bits, v);
}

// ---- widening and narrowing
inline Doubles widen_low(Floats v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline Doubles widen_high(Floats v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }
inline Doubles load_widened(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }
inline Floats narrow(Doubles lo, Doubles hi) { return _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo)); }

// ---- arithmetic, each operation rounded once (fma: a * b + c; fnma: c - a * b)
inline Floats floats(float v) { return _mm256_set1_ps(v); }
inline Doubles doubles(double v) { return _mm256_set1_pd(v); }
inline Doubles zero_doubles() { return _mm256_setzero_pd(); }
inline Floats add(Floats a, Floats b) { return _mm256_add_ps(a, b); }
inline Floats sub(Floats a, Floats b) { return _mm256_sub_ps(a, b); }
inline Floats mul(Floats a, Floats b) { return _mm256_mul_ps(a, b); }
inline Floats fma(Floats a, Floats b, Floats c) { return _mm256_fmadd_ps(a, b, c); }
inline Floats fnma(Floats a, Floats b, Floats c) { return _mm256_fnmadd_ps(a, b, c); }
// min(v, m) and max(v, m) give m where v is NaN: a NaN value is skipped.
inline Floats min(Floats v, Floats m) { return _mm256_min_ps(v, m); }
inline Floats max(Floats v, Floats m) { return _mm256_max_ps(v, m); }
inline Floats div(Floats a, Floats b) { return _mm256_div_ps(a, b); }
// The nearest integer, ties to even.
inline Floats round_nearest(Floats v) { return _mm256_round_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// p * 2^n for integral n in [-126, 127]: 2^n built from its bits, then one rounded product.
inline Floats times_pow2(Floats p, Floats n) {
    const __m256i bits = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_mul_ps(p, _mm256_castsi256_ps(bits));
}
// a > b ? t : f per lane (false where either is NaN).
inline Floats where_greater(Floats a, Floats b, Floats t, Floats f) {
    return _mm256_blendv_ps(f, t, _mm256_cmp_ps(a, b, _CMP_GT_OQ));
}
inline Doubles add(Doubles a, Doubles b) { return _mm256_add_pd(a, b); }
inline Doubles sub(Doubles a, Doubles b) { return _mm256_sub_pd(a, b); }
inline Doubles mul(Doubles a, Doubles b) { return _mm256_mul_pd(a, b); }
inline Doubles fma(Doubles a, Doubles b, Doubles c) { return _mm256_fmadd_pd(a, b, c); }
// a - b in the live lanes, +0 in the others (by bit mask, so an infinite b gives no NaN there).
inline Doubles sub_live(HalfLanes m, Doubles a, Doubles b) {
    return _mm256_and_pd(_mm256_sub_pd(a, b), _mm256_castsi256_pd(m.bits));
}

// ---- half-precision storage (storage_types.h), as in vector_avx512.h: a partial vector goes
// through a zeroed local copy.
inline int64_t live_count(Lanes m) { return __builtin_popcount(static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(m.bits)))); }
template <typename H>
inline __m128i load_half_bits(const H *p, Lanes m) {
    if (m.whole) return _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    alignas(16) uint16_t part[8] = {};
    std::memcpy(part, p, sizeof(uint16_t) * live_count(m));
    return _mm_load_si128(reinterpret_cast<const __m128i *>(part));
}
template <typename H>
inline void store_half_bits(H *p, Lanes m, __m128i bits) {
    if (m.whole) {
        _mm_storeu_si128(reinterpret_cast<__m128i *>(p), bits);
        return;
    }
    alignas(16) uint16_t part[8];
    _mm_store_si128(reinterpret_cast<__m128i *>(part), bits);
    std::memcpy(p, part, sizeof(uint16_t) * live_count(m));
}
inline Floats widen_bf16_bits(__m128i h) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)); }
inline __m128i round_to_bf16_bits(Floats v) {
    const __m256i b = _mm256_castps_si256(v), top = _mm256_srli_epi32(b, 16);
    const __m256i bias = _mm256_add_epi32(_mm256_set1_epi32(0x7fff), _mm256_and_si256(top, _mm256_set1_epi32(1)));
    const __m256i rounded = _mm256_srli_epi32(_mm256_add_epi32(b, bias), 16);
    const __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    const __m256i bits = _mm256_blendv_epi8(rounded, _mm256_or_si256(top, _mm256_set1_epi32(0x40)), nan);
    return _mm_packus_epi32(_mm256_castsi256_si128(bits), _mm256_extracti128_si256(bits, 1));
}
inline Floats load(const bf16 *p, Lanes m) { return widen_bf16_bits(load_half_bits(p, m)); }
inline void store(bf16 *p, Lanes m, Floats v) { store_half_bits(p, m, round_to_bf16_bits(v)); }
inline void store_around_caches(bf16 *p, Floats v) {
    _mm_stream_si128(reinterpret_cast<__m128i *>(p), round_to_bf16_bits(v));
}
// Four bf16 values interleaved with zeros are their f32 bits, in order: one instruction where a
// zero-extension and a shift take two.
inline Doubles load_widened(const bf16 *p) {
    const __m128i h = _mm_loadl_epi64(reinterpret_cast<const __m128i *>(p));
    return _mm256_cvtps_pd(_mm_castsi128_ps(_mm_unpacklo_epi16(_mm_setzero_si128(), h)));
}
inline Floats load(const f16 *p, Lanes m) { return _mm256_cvtph_ps(load_half_bits(p, m)); }
inline Doubles load_widened(const f16 *p) {
    return _mm256_cvtps_pd(_mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p))));
}
inline __m128i round_to_f16_bits(Floats v) { return _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
inline void store(f16 *p, Lanes m, Floats v) { store_half_bits(p, m, round_to_f16_bits(v)); }
inline void store_around_caches(f16 *p, Floats v) {
    _mm_stream_si128(reinterpret_cast<__m128i *>(p), round_to_f16_bits(v));
}

// Every storage type's pair order (vector_helpers.h: load_pair) is the values' order here.
template <typename T>
inline void swap_pair_order(Doubles &, Doubles &) {}

// Horizontal sum in a fixed order: ((a0 + a2) + (a1 + a3)).
inline double reduce_add(Doubles v) {
    const __m128d pair = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

}  // namespace norm4j::avx2

#endif
