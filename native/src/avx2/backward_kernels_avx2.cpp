// AVX2/FMA backward kernels: reductions in double (4 lanes per half vector), dx in f32.
// Every loop handles its tail with masked loads and stores, never reading past the data.
#include <algorithm>

#include "../flag_dispatch.h"
#include "kernels_avx2.h"

namespace norm4j::avx2 {

namespace {

// xhat = (x - mean) * rstd for the four doubles of one half.
inline __m256d xhat_pd(__m256d x, __m256d mean, __m256d rstd) {
    return _mm256_mul_pd(_mm256_sub_pd(x, mean), rstd);
}

}  // namespace

namespace {

// One block of eight values of a segment's backward sums. Whole blocks use plain loads and
// stores (masked ones are slow on some CPUs); the ragged end of a segment uses masked ones, whose
// missing lanes load as zero: dy = 0 there, so they add nothing to any sum.
template <bool kWeight, bool kParams>
struct BackwardSumsBlock {
    __m256d m, rs;
    const float *w;
    double *dw, *db;
    __m256d g0 = _mm256_setzero_pd(), g1 = _mm256_setzero_pd();
    __m256d gx0 = _mm256_setzero_pd(), gx1 = _mm256_setzero_pd();

    template <bool kWhole>
    inline void add(const float *x, const float *dy, int64_t i, __m256i mask) {
        const __m256 xv = kWhole ? _mm256_loadu_ps(x + i) : _mm256_maskload_ps(x + i, mask);
        const __m256 dv = kWhole ? _mm256_loadu_ps(dy + i) : _mm256_maskload_ps(dy + i, mask);
        const __m256d e0 = low_pd(dv), e1 = high_pd(dv);
        const __m256d h0 = xhat_pd(low_pd(xv), m, rs), h1 = xhat_pd(high_pd(xv), m, rs);
        __m256d d0 = e0, d1 = e1;
        if constexpr (kWeight) {
            const __m256 wv = kWhole ? _mm256_loadu_ps(w + i) : _mm256_maskload_ps(w + i, mask);
            d0 = _mm256_mul_pd(d0, low_pd(wv));
            d1 = _mm256_mul_pd(d1, high_pd(wv));
        }
        g0 = _mm256_add_pd(g0, d0);
        g1 = _mm256_add_pd(g1, d1);
        gx0 = _mm256_fmadd_pd(d0, h0, gx0);
        gx1 = _mm256_fmadd_pd(d1, h1, gx1);
        if constexpr (kParams) {
            // dw += dy * xhat, db += dy: the parameter gradients take dy before the weight.
            if constexpr (kWhole) {
                _mm256_storeu_pd(dw + i, _mm256_fmadd_pd(e0, h0, _mm256_loadu_pd(dw + i)));
                _mm256_storeu_pd(dw + i + 4, _mm256_fmadd_pd(e1, h1, _mm256_loadu_pd(dw + i + 4)));
                if (db != nullptr) {
                    _mm256_storeu_pd(db + i, _mm256_add_pd(_mm256_loadu_pd(db + i), e0));
                    _mm256_storeu_pd(db + i + 4, _mm256_add_pd(_mm256_loadu_pd(db + i + 4), e1));
                }
            } else {
                const __m256i lo = _mm256_castpd_si256(low_mask_pd(mask));
                const __m256i hi = _mm256_castpd_si256(high_mask_pd(mask));
                _mm256_maskstore_pd(dw + i, lo, _mm256_fmadd_pd(e0, h0, _mm256_maskload_pd(dw + i, lo)));
                _mm256_maskstore_pd(dw + i + 4, hi, _mm256_fmadd_pd(e1, h1, _mm256_maskload_pd(dw + i + 4, hi)));
                if (db != nullptr) {
                    _mm256_maskstore_pd(db + i, lo, _mm256_add_pd(_mm256_maskload_pd(db + i, lo), e0));
                    _mm256_maskstore_pd(db + i + 4, hi, _mm256_add_pd(_mm256_maskload_pd(db + i + 4, hi), e1));
                }
            }
        }
    }
};

template <bool kWeight, bool kParams>
void backward_sums_impl(const float *x, const float *dy, int64_t n, float mean, float rstd,
                        const float *w, double *sum_g, double *sum_gxhat, double *dw, double *db) {
    BackwardSumsBlock<kWeight, kParams> s{_mm256_set1_pd(mean), _mm256_set1_pd(rstd), w, dw, db};
    const __m256i all = _mm256_set1_epi32(-1);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) s.template add<true>(x, dy, i, all);
    if (i < n) s.template add<false>(x, dy, i, tail_mask(n - i));
    *sum_g += reduce_add(_mm256_add_pd(s.g0, s.g1));
    *sum_gxhat += reduce_add(_mm256_add_pd(s.gx0, s.gx1));
}

}  // namespace

void backward_sums(const float *x, const float *dy, int64_t n, float mean, float rstd,
                   const float *w, double *sum_g, double *sum_gxhat, double *dw, double *db,
                   bool start) {
    clear_for_start(start, dw, db, n);  // the one-pass start is AVX-512's
    with_flags(w != nullptr, dw != nullptr, [&](auto kw, auto kp) {
        backward_sums_impl<kw.value, kp.value>(x, dy, n, mean, rstd, w, sum_g, sum_gxhat, dw, db);
    });
}

void backward_dx(const float *x, const float *dy, float *dx, int64_t n, float mean, float rstd,
                 const float *w, float w_uniform, float a, float b, bool stream) {
    const __m256 m = _mm256_set1_ps(mean), rs = _mm256_set1_ps(rstd);
    const __m256 av = _mm256_set1_ps(a), bv = _mm256_set1_ps(b), wu = _mm256_set1_ps(w_uniform);
    write_row(dx, n, stream, [&](int64_t i, bool whole, __m256i mask) {
        const __m256 wv = w != nullptr ? load_block(w + i, whole, mask) : wu;
        const __m256 g = _mm256_mul_ps(load_block(dy + i, whole, mask), wv);
        const __m256 xhat = _mm256_mul_ps(_mm256_sub_ps(load_block(x + i, whole, mask), m), rs);
        // (g - a) - xhat * b, as in the scalar kernel but with one fused rounding.
        return _mm256_mul_ps(rs, _mm256_fnmadd_ps(xhat, bv, _mm256_sub_ps(g, av)));
    });
    if (stream) _mm_sfence();
}


// The channel-wise backward kernels work like the forward ones (column_kernels_avx2.cpp): rows
// in L1-sized tiles, each block of eight channels with its sums or constants in registers.
void column_backward_sums(const float *x, const float *dy, int64_t rows, int64_t cols,
                          const float *mean, const float *rstd, double *sum_dy,
                          double *sum_dy_xhat) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += 8) {
            const __m256i mask = tail_mask(cols - j);
            const bool whole = cols - j >= 8;
            const __m256 mv = load_block(mean + j, whole, mask), rv = load_block(rstd + j, whole, mask);
            const __m256d m0 = low_pd(mv), m1 = high_pd(mv), s0 = low_pd(rv), s1 = high_pd(rv);
            ColumnBlockSums d, g;
            for (int64_t r = r0; r < r1; ++r) {
                // Masked-off lanes load dy = 0, so they add nothing to either sum.
                const __m256 xv = load_block(x + r * cols + j, whole, mask);
                const __m256 dv = load_block(dy + r * cols + j, whole, mask);
                const __m256d e0 = low_pd(dv), e1 = high_pd(dv);
                d.lo = _mm256_add_pd(d.lo, e0);
                d.hi = _mm256_add_pd(d.hi, e1);
                g.lo = _mm256_fmadd_pd(e0, xhat_pd(low_pd(xv), m0, s0), g.lo);
                g.hi = _mm256_fmadd_pd(e1, xhat_pd(high_pd(xv), m1, s1), g.hi);
            }
            d.add_to(sum_dy + j, cols - j);
            g.add_to(sum_dy_xhat + j, cols - j);
        }
    }
}

void column_backward_dx(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols,
                        const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                        const float *k_0, bool stream) {
    write_columns(dx, rows, cols, stream, [&](int64_t i, bool whole, __m256i mask, int64_t j) {
        const __m256 t = _mm256_fmadd_ps(load_block(dy + i, whole, mask), _mm256_loadu_ps(k_dy + j), _mm256_loadu_ps(k_0 + j));
        const __m256 d = _mm256_sub_ps(load_block(x + i, whole, mask), _mm256_loadu_ps(mean + j));
        return _mm256_fmadd_ps(_mm256_mul_ps(d, _mm256_loadu_ps(rstd + j)), _mm256_loadu_ps(k_x + j), t);
    });
    if (stream) _mm_sfence();
}

void store_as_floats(const double *src, float *dst, int64_t n) {
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(dst + i, _mm256_cvtpd_ps(_mm256_loadu_pd(src + i)));
    for (; i < n; ++i) dst[i] = static_cast<float>(src[i]);
}

#include "../unfused_kernels.h"  // backward_sums_rows: the grouped pass is AVX-512's

}  // namespace norm4j::avx2
