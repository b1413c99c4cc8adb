// The AVX-512 vector layer: sixteen floats per vector, a vector's live lanes a __mmask16. Only
// included from files compiled with -mavx512f (and -mavx2 -mfma). The kernels written once
// (native/src/generic) use only what this layer and vector_avx2.h both define, under the same
// names; see vector_avx2.h for the list.
//
// Two kernel sets are built from it: avx512 (AVX-512F alone) and, from the same files compiled
// with AVX512_BF16, BW, VL and DQ as well (CMake's norm4j_kernels_avx512_bf16), avx512_bf16,
// which rounds to bf16 with the conversion instruction and moves partial vectors of 16-bit
// values with masks.
// Each set is compiled into its own namespace (NORM4J_AVX512_SET), so no inline function of one
// is linked into the other.
#ifndef NORM4J_VECTOR_AVX512_H
#define NORM4J_VECTOR_AVX512_H

#ifndef NORM4J_AVX512_SET
#define NORM4J_AVX512_SET avx512
#define NORM4J_AVX512_SET_NAME "avx512"
#endif

#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>

#include "../storage_types.h"

namespace norm4j::NORM4J_AVX512_SET {

constexpr int64_t kLanes = 16;        // floats per vector
constexpr int64_t kHalfLanes = 8;     // doubles per vector: a vector of floats widens to two

using Floats = __m512;
using Doubles = __m512d;
using Lanes = __mmask16;     // the live lanes of a vector of floats
using HalfLanes = __mmask8;  // the live lanes of a vector of doubles

inline Lanes all_lanes() { return static_cast<Lanes>(0xFFFF); }
// The first n lanes (n <= 0: none, n >= 16: all).
inline Lanes first_lanes(int64_t n) {
    if (n <= 0) return 0;
    return n >= 16 ? all_lanes() : static_cast<Lanes>((1u << n) - 1u);
}
inline bool whole(Lanes m) { return m == all_lanes(); }
inline HalfLanes low_half(Lanes m) { return static_cast<HalfLanes>(m & 0xFF); }
inline HalfLanes high_half(Lanes m) { return static_cast<HalfLanes>(m >> 8); }

// ---- memory: masked forms only where lanes are missing, since even with every lane live they
// run at about half speed on some CPUs (AMD Zen 5). Missing lanes load as zero.
inline Floats loadu(const float *p) { return _mm512_loadu_ps(p); }
inline Floats load(const float *p, Lanes m) { return m == all_lanes() ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p); }
inline void store(float *p, Lanes m, Floats v) {
    if (m == all_lanes()) _mm512_storeu_ps(p, v);
    else _mm512_mask_storeu_ps(p, m, v);
}
// A whole vector to p, a vector-aligned address, around the caches (the caller fences).
inline void store_around_caches(float *p, Floats v) { _mm512_stream_ps(p, v); }
inline Doubles loadu(const double *p) { return _mm512_loadu_pd(p); }
inline void storeu(double *p, Doubles v) { _mm512_storeu_pd(p, v); }
inline Doubles load(const double *p, HalfLanes m) { return m == 0xFF ? _mm512_loadu_pd(p) : _mm512_maskz_loadu_pd(m, p); }
inline void store(double *p, HalfLanes m, Doubles v) {
    if (m == 0xFF) _mm512_storeu_pd(p, v);
    else _mm512_mask_storeu_pd(p, m, v);
}

// ---- widening and narrowing
inline Doubles widen_low(Floats v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
inline Doubles widen_high(Floats v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}
// Half a vector of floats from p, widened as it is loaded (no shuffle to split a wide load).
inline Doubles load_widened(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }
// Two vectors of doubles rounded to one of floats. The halves are joined as doubles' bits:
// inserting eight floats would take AVX-512DQ.
inline Floats narrow(Doubles lo, Doubles hi) {
    const __m512d low = _mm512_castps_pd(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)));
    return _mm512_castpd_ps(_mm512_insertf64x4(low, _mm256_castps_pd(_mm512_cvtpd_ps(hi)), 1));
}

// ---- arithmetic, each operation rounded once (fma: a * b + c; fnma: c - a * b)
inline Floats floats(float v) { return _mm512_set1_ps(v); }
inline Doubles doubles(double v) { return _mm512_set1_pd(v); }
inline Doubles zero_doubles() { return _mm512_setzero_pd(); }
inline Floats add(Floats a, Floats b) { return _mm512_add_ps(a, b); }
inline Floats sub(Floats a, Floats b) { return _mm512_sub_ps(a, b); }
inline Floats mul(Floats a, Floats b) { return _mm512_mul_ps(a, b); }
inline Floats fma(Floats a, Floats b, Floats c) { return _mm512_fmadd_ps(a, b, c); }
inline Floats fnma(Floats a, Floats b, Floats c) { return _mm512_fnmadd_ps(a, b, c); }
// min(v, m) and max(v, m) give m where v is NaN: a NaN value is skipped.
inline Floats min(Floats v, Floats m) { return _mm512_min_ps(v, m); }
inline Floats max(Floats v, Floats m) { return _mm512_max_ps(v, m); }
inline Floats div(Floats a, Floats b) { return _mm512_div_ps(a, b); }
// The nearest integer, ties to even.
inline Floats round_nearest(Floats v) { return _mm512_roundscale_ps(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
// p * 2^n for integral n in [-126, 127]: 2^n built from its bits, then one rounded product.
inline Floats times_pow2(Floats p, Floats n) {
    const __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(p, _mm512_castsi512_ps(bits));
}
// a > b ? t : f per lane (false where either is NaN).
inline Floats where_greater(Floats a, Floats b, Floats t, Floats f) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), f, t);
}
inline Doubles add(Doubles a, Doubles b) { return _mm512_add_pd(a, b); }
inline Doubles sub(Doubles a, Doubles b) { return _mm512_sub_pd(a, b); }
inline Doubles mul(Doubles a, Doubles b) { return _mm512_mul_pd(a, b); }
inline Doubles fma(Doubles a, Doubles b, Doubles c) { return _mm512_fmadd_pd(a, b, c); }
// a - b in the live lanes, +0 in the others (by mask, so an infinite b gives no NaN there).
inline Doubles sub_live(HalfLanes m, Doubles a, Doubles b) { return _mm512_maskz_sub_pd(m, a, b); }

// ---- half-precision storage (storage_types.h): widened exactly on load, rounded once to
// nearest even on store, the same bits as the scalar conversions. A partial vector moves with
// 16-bit masks where AVX512BW is compiled in, otherwise through a zeroed local copy.
inline int64_t live_count(Lanes m) { return __builtin_popcount(m); }
template <typename H>
inline __m256i load_half_bits(const H *p, Lanes m) {
    if (whole(m)) return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
#if defined(__AVX512BW__) && defined(__AVX512VL__)
    return _mm256_maskz_loadu_epi16(m, p);
#else
    alignas(32) uint16_t part[16] = {};
    std::memcpy(part, p, sizeof(uint16_t) * live_count(m));
    return _mm256_load_si256(reinterpret_cast<const __m256i *>(part));
#endif
}
template <typename H>
inline void store_half_bits(H *p, Lanes m, __m256i bits) {
    if (whole(m)) {
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(p), bits);
        return;
    }
#if defined(__AVX512BW__) && defined(__AVX512VL__)
    _mm256_mask_storeu_epi16(p, m, bits);
#else
    alignas(32) uint16_t part[16];
    _mm256_store_si256(reinterpret_cast<__m256i *>(part), bits);
    std::memcpy(p, part, sizeof(uint16_t) * live_count(m));
#endif
}
// bf16: the top half of an f32's bits. Rounding adds 0x7fff and the kept part's lowest bit (ties
// to even) as integers; a NaN keeps its top bits with the quiet bit set.
inline Floats widen_bf16_bits(__m256i h) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16)); }
inline __m256i round_to_bf16_bits_as_integers(Floats v) {
    const __m512i b = _mm512_castps_si512(v), top = _mm512_srli_epi32(b, 16);
    const __m512i bias = _mm512_add_epi32(_mm512_set1_epi32(0x7fff), _mm512_and_si512(top, _mm512_set1_epi32(1)));
    const __m512i rounded = _mm512_srli_epi32(_mm512_add_epi32(b, bias), 16);
    const __mmask16 nan = _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    return _mm512_cvtepi32_epi16(_mm512_mask_or_epi32(rounded, nan, top, _mm512_set1_epi32(0x40)));
}
#if defined(__AVX512BF16__) && defined(__AVX512DQ__)
// VCVTNEPS2BF16 gives those bits for every input but a subnormal, which it takes as zero: a
// vector holding a subnormal is rounded as integers instead.
inline __m256i round_to_bf16_bits(Floats v) {
    constexpr int kSubnormal = 0x20;  // VFPCLASSPS's "denormal" category
    if (_mm512_fpclass_ps_mask(v, kSubnormal) != 0) return round_to_bf16_bits_as_integers(v);
    return reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(v));
}
#else
inline __m256i round_to_bf16_bits(Floats v) { return round_to_bf16_bits_as_integers(v); }
#endif
inline Floats load(const bf16 *p, Lanes m) { return widen_bf16_bits(load_half_bits(p, m)); }
inline void store(bf16 *p, Lanes m, Floats v) { store_half_bits(p, m, round_to_bf16_bits(v)); }
inline void store_around_caches(bf16 *p, Floats v) {
    _mm256_stream_si256(reinterpret_cast<__m256i *>(p), round_to_bf16_bits(v));
}
// Half a vector of bf16 values widened to doubles as they are loaded (exact).
inline Doubles load_widened(const bf16 *p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
    return _mm512_cvtps_pd(_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)));
}
// A vector of bf16 values (m its live lanes) widened to two vectors of doubles in pair order,
// with the live lanes of each. Interleaving the values with zeros widens eight of them to floats
// in one instruction, where the in-order widening takes two; VPUNPCK{L,H}WD work within 128-bit
// lanes, so the first vector holds values 0-3 and 8-11, the second 4-7 and 12-15.
inline void load_pair(const bf16 *p, Lanes m, Doubles &lo, Doubles &hi, HalfLanes &live_lo, HalfLanes &live_hi) {
    const __m256i h = load_half_bits(p, m), zero = _mm256_setzero_si256();
    lo = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm256_unpacklo_epi16(zero, h)));
    hi = _mm512_cvtps_pd(_mm256_castsi256_ps(_mm256_unpackhi_epi16(zero, h)));
    live_lo = static_cast<HalfLanes>((m & 0xF) | ((m >> 4) & 0xF0));
    live_hi = static_cast<HalfLanes>(((m >> 4) & 0xF) | ((m >> 8) & 0xF0));
}
// Two vectors of doubles in T's pair order (load_pair) put in the values' order, or the other way:
// for bf16 the first four lanes of the second vector and the last four of the first change
// places, which is its own inverse.
template <typename T>
inline void swap_pair_order(Doubles &lo, Doubles &hi) {
    if constexpr (std::is_same_v<T, bf16>) {
        const Doubles first = _mm512_shuffle_f64x2(lo, hi, _MM_SHUFFLE(1, 0, 1, 0));
        hi = _mm512_shuffle_f64x2(lo, hi, _MM_SHUFFLE(3, 2, 3, 2));
        lo = first;
    }
}
// f16: the F16C conversions (their AVX-512 forms), rounding to nearest even.
inline Doubles load_widened(const f16 *p) {
    return _mm512_cvtps_pd(_mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p))));
}
inline Floats load(const f16 *p, Lanes m) { return _mm512_cvtph_ps(load_half_bits(p, m)); }
inline __m256i round_to_f16_bits(Floats v) { return _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
inline void store(f16 *p, Lanes m, Floats v) { store_half_bits(p, m, round_to_f16_bits(v)); }
inline void store_around_caches(f16 *p, Floats v) {
    _mm256_stream_si256(reinterpret_cast<__m256i *>(p), round_to_f16_bits(v));
}

// Horizontal sum in a fixed order (halves, then pairs), so results depend only on the input.
inline double reduce_add(Doubles v) {
    const __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    const __m128d q = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    return _mm_cvtsd_f64(_mm_add_sd(q, _mm_unpackhi_pd(q, q)));
}

}  // namespace norm4j::NORM4J_AVX512_SET

#endif
