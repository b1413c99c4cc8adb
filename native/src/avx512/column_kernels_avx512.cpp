// AVX-512 kernels over the columns of a row-major [rows, cols] matrix (channels-last data):
// sixteen channels per vector, accumulators in double kept per column in the caller's array.
//
// Sums take the rows in L1-sized tiles, each block of sixteen columns (a whole cache line) with
// its sums in registers across the tile's rows. Outputs walk the rows in memory order, the
// per-column constants (a few KiB) staying in L1: x and y then stream through once in order,
// which the prefetchers and the store path handle far better than a tile walked block by block.
#include <algorithm>

#include "../flag_dispatch.h"
#include "kernels_avx512.h"

namespace norm4j::avx512 {

void column_sums(const float *x, int64_t rows, int64_t cols, double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const __m512 v = load(x + r * cols + j, m);
                s.lo = _mm512_add_pd(s.lo, low_pd(v));
                s.hi = _mm512_add_pd(s.hi, high_pd(v));
            }
            s.add_to(acc + j, m);
        }
    }
}

void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __mmask8 l = low_mask(m), h = high_mask(m);
            const __m512d m0 = load_pd(mean + j, l), m1 = load_pd(mean + j + 8, h);
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const __m512 v = load(x + r * cols + j, m);
                // Masked-off lanes: 0 - 0 (the mean loads as 0 there too) adds nothing.
                const __m512d d0 = _mm512_sub_pd(low_pd(v), m0), d1 = _mm512_sub_pd(high_pd(v), m1);
                s.lo = _mm512_fmadd_pd(d0, d0, s.lo);
                s.hi = _mm512_fmadd_pd(d1, d1, s.hi);
            }
            s.add_to(acc + j, m);
        }
    }
}

namespace {

// Sums of one panel of up to 64 columns (kBlocks blocks of 16, the last one masked by `last`) over
// all the rows, the panel's 2 x kBlocks accumulator pairs and pivots held in registers (AVX-512
// has 32), so a narrow matrix is read once, in memory order.
template <int kBlocks>
void pivoted_panel(const float *x, int64_t rows, int64_t cols, __mmask16 last, const float *pivot,
                   double *s1, double *s2) {
    // Plain arrays of vectors, not of ColumnBlockSums: see backward_sums_panel.
    __m512d p[kBlocks][2], a_lo[kBlocks], a_hi[kBlocks], q_lo[kBlocks], q_hi[kBlocks];
    auto mask = [&](int b) { return panel_mask<kBlocks>(b, last); };
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        const __m512 pv = load(pivot + 16 * b, mask(b));
        p[b][0] = low_pd(pv);
        p[b][1] = high_pd(pv);
        a_lo[b] = a_hi[b] = q_lo[b] = q_hi[b] = _mm512_setzero_pd();
    }
    for (int64_t r = 0; r < rows; ++r) {
#pragma GCC unroll 4
        for (int b = 0; b < kBlocks; ++b) {
            // Masked-off lanes: 0 - 0 (the pivot loads as 0 there too) adds nothing.
            __m512d v0, v1;
            load_halves_pd(x + r * cols + 16 * b, mask(b), v0, v1);
            const __m512d d0 = _mm512_sub_pd(v0, p[b][0]), d1 = _mm512_sub_pd(v1, p[b][1]);
            a_lo[b] = _mm512_add_pd(a_lo[b], d0);
            a_hi[b] = _mm512_add_pd(a_hi[b], d1);
            q_lo[b] = _mm512_fmadd_pd(d0, d0, q_lo[b]);
            q_hi[b] = _mm512_fmadd_pd(d1, d1, q_hi[b]);
        }
    }
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        ColumnBlockSums{a_lo[b], a_hi[b]}.add_to(s1 + 16 * b, mask(b));
        ColumnBlockSums{q_lo[b], q_hi[b]}.add_to(s2 + 16 * b, mask(b));
    }
}

}  // namespace

void column_pivoted_sums(const float *x, int64_t rows, int64_t cols, const float *pivot,
                         double *s1, double *s2) {
    for_each_panel(cols, [&](int64_t j, __mmask16 last, auto blocks) {
        pivoted_panel<blocks.value>(x + j, rows, cols, last, pivot + j, s1 + j, s2 + j);
    });
}

namespace {

// normalize_columns for channel counts of whole vectors, row by row with the constants indexed
// by the column (as column_dx_rows does for backward): no wrapping of the column index or tail
// mask per vector, and the choices compile-time. The same arithmetic, so the same bits. Streams y
// when y starts on a cache line (then every vector is one), asking for x kPrefetchAhead values
// ahead as the flat run does. Batch norm in a native loop: [128, 1024] inference 7.9-8.1 ->
// 5.8-5.9 us and training 14.6-14.8 -> 12.6-12.7 us, [8, 14, 14, 256] inference on one thread
// 32.5-33.2 -> 30.5-31.5 us; [32, 56, 56, 64], from memory, no change.
template <bool kStream>
void normalize_column_rows(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                           const float *scale, const float *shift) {
    const int64_t end = rows * cols - kPrefetchAhead;
    for (int64_t at = 0; at < rows * cols; at += cols) {
        const float *xr = x + at;
        float *yr = y + at;
        const bool ask = kStream && at + cols <= end;
        for (int64_t j = 0; j < cols; j += 16) {
            if (ask) _mm_prefetch(reinterpret_cast<const char *>(xr + j + kPrefetchAhead), _MM_HINT_T0);
            const __m512 d = _mm512_sub_ps(_mm512_loadu_ps(xr + j), _mm512_loadu_ps(hi + j));
            const __m512 v = _mm512_fmadd_ps(d, _mm512_loadu_ps(scale + j), _mm512_loadu_ps(shift + j));
            if constexpr (kStream) _mm512_stream_ps(yr + j, v);
            else _mm512_storeu_ps(yr + j, v);
        }
    }
}

}  // namespace

void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *scale, const float *shift, bool stream) {
    if (cols % 16 == 0) {
        with_flag(stream && starts_line(y),
                  [&](auto ks) { normalize_column_rows<ks.value>(x, y, rows, cols, hi, scale, shift); });
        return;
    }
    write_columns(y, rows, cols, stream, [&](int64_t i, __mmask16 m, int64_t j) {
        if (stream) prefetch_ahead(x, i, rows * cols);
        const __m512 d = _mm512_sub_ps(load(x + i, m), _mm512_loadu_ps(hi + j));
        return _mm512_fmadd_ps(d, _mm512_loadu_ps(scale + j), _mm512_loadu_ps(shift + j));
    });
}

void column_min_max(const float *x, int64_t rows, int64_t cols, float *mn, float *mx) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __m512 v = load(x + r * cols + j, m);
            // min_ps(v, m) returns m when v is NaN: NaN values are skipped, as in the scalar code.
            store(mn + j, m, _mm512_min_ps(v, load(mn + j, m)));
            store(mx + j, m, _mm512_max_ps(v, load(mx + j, m)));
        }
    }
}

void scale_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *sub,
                   const float *scale, const float *add) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += 16) {
            const __mmask16 m = tail_mask(cols - j);
            const __m512 d = _mm512_sub_ps(load(x + r * cols + j, m), load(sub + j, m));
            const __m512 t = _mm512_mul_ps(d, load(scale + j, m));  // no fma: same bits as scalar
            store(y + r * cols + j, m, _mm512_add_ps(t, load(add + j, m)));
        }
    }
}

}  // namespace norm4j::avx512
