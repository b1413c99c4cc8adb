// Small AVX2 helpers shared by the AVX2 kernels. Only included from files compiled with
// -mavx2 -mfma.
#ifndef NORM4J_SIMD_AVX2_H
#define NORM4J_SIMD_AVX2_H

#include <immintrin.h>

#include <cstdint>

namespace norm4j::avx2 {

// Horizontal sum of four doubles in a fixed order: ((a0 + a2) + (a1 + a3)).
inline double reduce_add(__m256d v) {
    const __m128d lo = _mm256_castpd256_pd128(v);
    const __m128d hi = _mm256_extractf128_pd(v, 1);
    const __m128d pair = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(pair, _mm_unpackhi_pd(pair, pair)));
}

// Mask that keeps the first n lanes (n <= 0: none, n >= 8: all) for a segment's tail.
inline __m256i tail_mask(int64_t n) {
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int clamped = n < 0 ? 0 : (n > 8 ? 8 : static_cast<int>(n));
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(clamped), lane);
}

// The low and high four floats of v, widened to double.
inline __m256d low_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_castps256_ps128(v)); }
inline __m256d high_pd(__m256 v) { return _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1)); }

// Four floats from p, widened to double as they are loaded (no shuffle to split a wide load).
inline __m256d load4_pd(const float *p) { return _mm256_cvtps_pd(_mm_loadu_ps(p)); }

// The eight floats at p (lanes in mask where not whole; missing ones read as zero) as two halves
// of four doubles: whole, widened straight from memory.
inline void load_halves_pd(const float *p, bool whole, __m256i mask, __m256d &lo, __m256d &hi) {
    if (whole) {
        lo = load4_pd(p);
        hi = load4_pd(p + 4);
    } else {
        const __m256 v = _mm256_maskload_ps(p, mask);
        lo = low_pd(v);
        hi = high_pd(v);
    }
}

// A 32-bit lane mask widened to the matching 64-bit lane masks (low and high halves).
inline __m256d low_mask_pd(__m256i m) {
    return _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(m)));
}
inline __m256d high_mask_pd(__m256i m) {
    return _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm256_extracti128_si256(m, 1)));
}

// A block's eight floats: a plain load when the block is whole (masked loads and stores are
// much slower on some CPUs), a masked one at the ragged end of a row.
inline __m256 load_block(const float *p, bool whole, __m256i mask) {
    return whole ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, mask);
}

inline void store_block(float *p, bool whole, __m256i mask, __m256 v) {
    if (whole) _mm256_storeu_ps(p, v);
    else _mm256_maskstore_ps(p, mask, v);
}

// 64-bit lane masks for the low and high four of the first n (0..8) columns.
struct DoubleMasks {
    __m256i lo, hi;
    explicit DoubleMasks(int64_t n) {
        const __m256i m = tail_mask(n);
        lo = _mm256_castpd_si256(low_mask_pd(m));
        hi = _mm256_castpd_si256(high_mask_pd(m));
    }
};

// Writes y[0, n), block(i, whole, mask) giving lanes i..i+7 (whole: all eight; else those of
// mask). With stream, the whole blocks from y's first 32-byte boundary on go around the caches
// (non-temporal stores, which the caller fences: parallel_for does, once per thread), the head
// and tail through them.
template <typename Block>
inline void write_row(float *y, int64_t n, bool stream, Block block) {
    const __m256i all = _mm256_set1_epi32(-1);
    int64_t i = 0;
    if (stream) {
        const int64_t to_boundary = static_cast<int64_t>(((32 - (reinterpret_cast<uintptr_t>(y) & 31)) & 31) / 4);
        const int64_t head = to_boundary < n ? to_boundary : n;
        if (head > 0) _mm256_maskstore_ps(y, tail_mask(head), block(0, false, tail_mask(head)));
        for (i = head; i + 8 <= n; i += 8) _mm256_stream_ps(y + i, block(i, true, all));
    } else {
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, block(i, true, all));
    }
    if (i < n) _mm256_maskstore_ps(y + i, tail_mask(n - i), block(i, false, tail_mask(n - i)));
}

// Writes the [rows, cols] block y as one flat run (write_row): block(i, whole, mask, j) gives
// the values at flat position i, whose first column is j = i mod cols, so its per-column
// constants are the eight wrapped values from j on (kernels.h: normalize_columns).
template <typename Block>
inline void write_columns(float *y, int64_t rows, int64_t cols, bool stream, Block block) {
    int64_t at = 0, column = 0;
    write_row(y, rows * cols, stream, [&](int64_t i, bool whole, __m256i mask) {
        for (column += i - at, at = i; column >= cols;) column -= cols;  // steps of at most 8
        return block(i, whole, mask, column);
    });
}

// The double accumulators of one block of eight columns (two halves of four), added into the
// caller's per-column array once per tile.
struct ColumnBlockSums {
    __m256d lo = _mm256_setzero_pd(), hi = _mm256_setzero_pd();

    void add_to(double *acc, int64_t width) const {
        if (width >= 8) {
            _mm256_storeu_pd(acc, _mm256_add_pd(_mm256_loadu_pd(acc), lo));
            _mm256_storeu_pd(acc + 4, _mm256_add_pd(_mm256_loadu_pd(acc + 4), hi));
            return;
        }
        const DoubleMasks m(width);
        _mm256_maskstore_pd(acc, m.lo, _mm256_add_pd(_mm256_maskload_pd(acc, m.lo), lo));
        _mm256_maskstore_pd(acc + 4, m.hi, _mm256_add_pd(_mm256_maskload_pd(acc + 4, m.hi), hi));
    }
};

// Rows per tile for the channel-wise kernels: a tile of rows x cols floats fits the 32 KiB L1.
inline int64_t column_tile_rows(int64_t cols) {
    const int64_t rows = 8192 / (cols > 0 ? cols : 1);
    return rows < 4 ? 4 : (rows > 256 ? 256 : rows);
}

}  // namespace norm4j::avx2

#endif
