// Small AVX-512 helpers shared by the AVX-512 kernels. Only included from files compiled with
// -mavx512f (and -mavx2 -mfma). Sixteen floats per vector; a segment's tail is a lane mask.
#ifndef NORM4J_SIMD_AVX512_H
#define NORM4J_SIMD_AVX512_H

#include <immintrin.h>

#include <cstdint>
#include <type_traits>

namespace norm4j::avx512 {

// Mask of the first n lanes (n <= 0: none, n >= 16: all).
inline __mmask16 tail_mask(int64_t n) {
    if (n <= 0) return 0;
    return n >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << n) - 1u);
}

// The double masks of the low and high eight lanes of a float mask.
inline __mmask8 low_mask(__mmask16 m) { return static_cast<__mmask8>(m & 0xFF); }
inline __mmask8 high_mask(__mmask16 m) { return static_cast<__mmask8>(m >> 8); }

// The low and high eight floats of v, widened to double.
inline __m512d low_pd(__m512 v) { return _mm512_cvtps_pd(_mm512_castps512_ps256(v)); }
inline __m512d high_pd(__m512 v) {
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}

// Eight floats from p, widened to double.
inline __m512d load8_pd(const float *p) { return _mm512_cvtps_pd(_mm256_loadu_ps(p)); }

// The sixteen floats at p (lanes in m; missing ones read as zero) as two halves of eight
// doubles: whole, widened straight from memory (no shuffle to split a wide load).
inline void load_halves_pd(const float *p, __mmask16 m, __m512d &lo, __m512d &hi) {
    if (m == 0xFFFF) {
        lo = load8_pd(p);
        hi = load8_pd(p + 8);
    } else {
        const __m512 v = _mm512_maskz_loadu_ps(m, p);
        lo = low_pd(v);
        hi = high_pd(v);
    }
}

// Masked loads and stores: plain ones when the mask is full, since even then the masked forms
// run at about half speed on some CPUs (measured on AMD Zen 5).
inline __m512 load(const float *p, __mmask16 m) {
    return m == 0xFFFF ? _mm512_loadu_ps(p) : _mm512_maskz_loadu_ps(m, p);
}

inline void store(float *p, __mmask16 m, __m512 v) {
    if (m == 0xFFFF) _mm512_storeu_ps(p, v);
    else _mm512_mask_storeu_ps(p, m, v);
}

inline __m512d load_pd(const double *p, __mmask8 m) {
    return m == 0xFF ? _mm512_loadu_pd(p) : _mm512_maskz_loadu_pd(m, p);
}

inline void store_pd(double *p, __mmask8 m, __m512d v) {
    if (m == 0xFF) _mm512_storeu_pd(p, v);
    else _mm512_mask_storeu_pd(p, m, v);
}

// Whether p starts a 64-byte cache line: then every vector of rows of whole vectors from p is
// one line, and all of them can be streamed.
inline bool starts_line(const float *p) { return (reinterpret_cast<uintptr_t>(p) & 63) == 0; }

// Writes y[0, n), block(i, mask) giving lanes i..i+15. With stream, the whole blocks from y's
// first 64-byte boundary on go around the caches (non-temporal stores, which the caller fences:
// parallel_for does, once per thread), the unaligned head and the tail through them.
template <typename Block>
inline void write_row(float *y, int64_t n, bool stream, Block block) {
    int64_t i = 0;
    if (stream) {
        const int64_t to_boundary = static_cast<int64_t>(((64 - (reinterpret_cast<uintptr_t>(y) & 63)) & 63) / 4);
        const int64_t head = to_boundary < n ? to_boundary : n;
        if (head > 0) store(y, tail_mask(head), block(0, tail_mask(head)));
        for (i = head; i + 16 <= n; i += 16) _mm512_stream_ps(y + i, block(i, static_cast<__mmask16>(0xFFFF)));
    }
    for (; i < n; i += 16) {
        const __mmask16 m = tail_mask(n - i);
        store(y + i, m, block(i, m));
    }
}

// Writes the [rows, cols] block y as one flat run (write_row): block(i, mask, j) gives the
// values at flat position i, whose first column is j = i mod cols, so its per-column constants
// are the sixteen wrapped values from j on (kernels.h: normalize_columns).
template <typename Block>
inline void write_columns(float *y, int64_t rows, int64_t cols, bool stream, Block block) {
    int64_t at = 0, column = 0;
    write_row(y, rows * cols, stream, [&](int64_t i, __mmask16 m) {
        for (column += i - at, at = i; column >= cols;) column -= cols;  // steps of at most 16
        return block(i, m, column);
    });
}

// Horizontal sum of eight doubles in a fixed order (halves, then pairs), so results depend
// only on the input.
inline double reduce_add(__m512d v) {
    const __m256d h = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    const __m128d q = _mm_add_pd(_mm256_castpd256_pd128(h), _mm256_extractf128_pd(h, 1));
    return _mm_cvtsd_f64(_mm_add_sd(q, _mm_unpackhi_pd(q, q)));
}

// The double accumulators of one block of sixteen columns (two halves of eight), added into the
// caller's per-column array once per tile.
struct ColumnBlockSums {
    __m512d lo = _mm512_setzero_pd(), hi = _mm512_setzero_pd();

    void add_to(double *acc, __mmask16 m) const {
        const __mmask8 l = low_mask(m), h = high_mask(m);
        store_pd(acc, l, _mm512_add_pd(load_pd(acc, l), lo));
        store_pd(acc + 8, h, _mm512_add_pd(load_pd(acc + 8, h), hi));
    }
};

// Runs panel(j, last, blocks) for each panel of up to 64 of the cols columns, from column j:
// `blocks` (a std::integral_constant of 1 to 4) blocks of sixteen, the last one's lanes in
// `last`. The panel kernels hold a panel's accumulators in registers, so they take the block
// count as a compile-time constant.
template <typename Panel>
inline void for_each_panel(int64_t cols, Panel panel) {
    for (int64_t j = 0; j < cols; j += 64) {
        const int64_t width = cols - j < 64 ? cols - j : 64;
        const int blocks = static_cast<int>((width + 15) / 16);
        const __mmask16 last = tail_mask(width - 16 * (blocks - 1));
        switch (blocks) {
            case 1: panel(j, last, std::integral_constant<int, 1>{}); break;
            case 2: panel(j, last, std::integral_constant<int, 2>{}); break;
            case 3: panel(j, last, std::integral_constant<int, 3>{}); break;
            default: panel(j, last, std::integral_constant<int, 4>{}); break;
        }
    }
}

// The lanes of block b of a panel of kBlocks blocks whose last block has `last`.
template <int kBlocks>
inline __mmask16 panel_mask(int b, __mmask16 last) {
    return b == kBlocks - 1 ? last : static_cast<__mmask16>(0xFFFF);
}

// Rows per tile for the tiled channel kernels: a tile of rows x cols floats fits a 32 KiB L1.
inline int64_t column_tile_rows(int64_t cols) {
    const int64_t rows = 8192 / (cols > 0 ? cols : 1);
    return rows < 4 ? 4 : (rows > 256 ? 256 : rows);
}

}  // namespace norm4j::avx512

#endif
