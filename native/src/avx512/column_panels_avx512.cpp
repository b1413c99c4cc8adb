// AVX-512's channel sums over a channels-last matrix: a panel of up to 64 columns (four vectors)
// holds its accumulators and constants in registers over all the rows, so a matrix of up to 64
// channels is read once, in memory order. Written for AVX-512 alone: a panel takes 24 of its 32
// registers, more than AVX2 has (AVX2 tiles the rows instead: avx2/column_tiles_avx2.cpp). The
// accumulators are plain arrays of vectors: in arrays of ColumnBlockSums, GCC stored all of a
// panel's sums to the stack on every row.
#include "kernels_avx512.h"

namespace norm4j::NORM4J_AVX512_SET {

namespace {

// Runs panel(j, last, blocks) for each panel of up to 64 of the cols columns, from column j:
// `blocks` (a std::integral_constant of 1 to 4) vectors, the last one's lanes in `last`. The
// panel kernels hold a panel's accumulators in registers, so they take the count at compile time.
template <typename Panel>
inline void for_each_panel(int64_t cols, Panel panel) {
    for (int64_t j = 0; j < cols; j += 4 * kLanes) {
        const int64_t width = std::min(cols - j, 4 * kLanes);
        const int blocks = static_cast<int>((width + kLanes - 1) / kLanes);
        const Lanes last = first_lanes(width - kLanes * (blocks - 1));
        switch (blocks) {
            case 1: panel(j, last, std::integral_constant<int, 1>{}); break;
            case 2: panel(j, last, std::integral_constant<int, 2>{}); break;
            case 3: panel(j, last, std::integral_constant<int, 3>{}); break;
            default: panel(j, last, std::integral_constant<int, 4>{}); break;
        }
    }
}

// The lanes of vector b of a panel of kBlocks vectors whose last one has `last`.
template <int kBlocks>
inline Lanes panel_lanes(int b, Lanes last) {
    return b == kBlocks - 1 ? last : all_lanes();
}

template <int kBlocks, typename T>
void pivoted_panel(const T *x, int64_t rows, int64_t cols, Lanes last, const float *pivot, double *s1,
                   double *s2) {
    Doubles p[kBlocks][2], a_lo[kBlocks], a_hi[kBlocks], q_lo[kBlocks], q_hi[kBlocks];
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        const Floats pv = load(pivot + kLanes * b, panel_lanes<kBlocks>(b, last));
        p[b][0] = widen_low(pv);
        p[b][1] = widen_high(pv);
        swap_pair_order<T>(p[b][0], p[b][1]);
        a_lo[b] = a_hi[b] = q_lo[b] = q_hi[b] = zero_doubles();
    }
    HalfLanes unused_lo, unused_hi;
    for (int64_t r = 0; r < rows; ++r) {
#pragma GCC unroll 4
        for (int b = 0; b < kBlocks; ++b) {
            // Missing lanes: 0 - 0 (the pivot loads as 0 there too) adds nothing. The sums are
            // in T's pair order until they are added out.
            Doubles v0, v1;
            load_pair(x + r * cols + kLanes * b, panel_lanes<kBlocks>(b, last), v0, v1, unused_lo, unused_hi);
            const Doubles d0 = sub(v0, p[b][0]), d1 = sub(v1, p[b][1]);
            a_lo[b] = add(a_lo[b], d0);
            a_hi[b] = add(a_hi[b], d1);
            q_lo[b] = fma(d0, d0, q_lo[b]);
            q_hi[b] = fma(d1, d1, q_hi[b]);
        }
    }
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        swap_pair_order<T>(a_lo[b], a_hi[b]);
        swap_pair_order<T>(q_lo[b], q_hi[b]);
        ColumnBlockSums{a_lo[b], a_hi[b]}.add_to(s1 + kLanes * b, panel_lanes<kBlocks>(b, last));
        ColumnBlockSums{q_lo[b], q_hi[b]}.add_to(s2 + kLanes * b, panel_lanes<kBlocks>(b, last));
    }
}

// Sum dy * xhat is taken as rstd * sum dy * (x - mean): rstd is the column's constant, and
// leaving it out of the loop frees the registers it took.
template <int kBlocks, typename T>
void backward_sums_panel(const T *x, const T *dy, int64_t rows, int64_t cols, Lanes last,
                         const float *mean, const float *rstd, double *sum_dy, double *sum_dy_xhat,
                         bool from_memory) {
    Doubles mv[kBlocks][2], d_lo[kBlocks], d_hi[kBlocks], g_lo[kBlocks], g_hi[kBlocks];
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        const Floats m = load(mean + kLanes * b, panel_lanes<kBlocks>(b, last));
        mv[b][0] = widen_low(m);
        mv[b][1] = widen_high(m);
        swap_pair_order<T>(mv[b][0], mv[b][1]);
        d_lo[b] = d_hi[b] = g_lo[b] = g_hi[b] = zero_doubles();
    }
    HalfLanes unused_lo, unused_hi;
    const int64_t ahead = kPrefetchAhead / cols;  // rows, kPrefetchAhead values on
    for (int64_t r = 0; r < rows; ++r) {
        if (from_memory && r + ahead < rows) {
#pragma GCC unroll 4
            for (int b = 0; b < kBlocks; ++b) {
                __builtin_prefetch(x + (r + ahead) * cols + kLanes * b, 0, 3);
                __builtin_prefetch(dy + (r + ahead) * cols + kLanes * b, 0, 3);
            }
        }
#pragma GCC unroll 4
        for (int b = 0; b < kBlocks; ++b) {
            // Missing lanes load dy = 0, so they add nothing to either sum. The sums are in T's
            // pair order until they are added out.
            Doubles x0, x1, e0, e1;
            load_pair(x + r * cols + kLanes * b, panel_lanes<kBlocks>(b, last), x0, x1, unused_lo, unused_hi);
            load_pair(dy + r * cols + kLanes * b, panel_lanes<kBlocks>(b, last), e0, e1, unused_lo, unused_hi);
            d_lo[b] = add(d_lo[b], e0);
            d_hi[b] = add(d_hi[b], e1);
            g_lo[b] = fma(e0, sub(x0, mv[b][0]), g_lo[b]);
            g_hi[b] = fma(e1, sub(x1, mv[b][1]), g_hi[b]);
        }
    }
#pragma GCC unroll 4
    for (int b = 0; b < kBlocks; ++b) {
        const Floats rs = load(rstd + kLanes * b, panel_lanes<kBlocks>(b, last));
        swap_pair_order<T>(d_lo[b], d_hi[b]);
        swap_pair_order<T>(g_lo[b], g_hi[b]);
        ColumnBlockSums{d_lo[b], d_hi[b]}.add_to(sum_dy + kLanes * b, panel_lanes<kBlocks>(b, last));
        ColumnBlockSums{mul(g_lo[b], widen_low(rs)), mul(g_hi[b], widen_high(rs))}
            .add_to(sum_dy_xhat + kLanes * b, panel_lanes<kBlocks>(b, last));
    }
}

template <typename T>
void column_pivoted_sums_stored(const T *x, int64_t rows, int64_t cols, const float *pivot, double *s1, double *s2) {
    for_each_panel(cols, [&](int64_t j, Lanes last, auto blocks) {
        pivoted_panel<blocks.value>(x + j, rows, cols, last, pivot + j, s1 + j, s2 + j);
    });
}

template <typename T>
void column_backward_sums_stored(const T *x, const T *dy, int64_t rows, int64_t cols, const float *mean,
                                 const float *rstd, double *sum_dy, double *sum_dy_xhat, bool from_memory) {
    for_each_panel(cols, [&](int64_t j, Lanes last, auto blocks) {
        backward_sums_panel<blocks.value>(x + j, dy + j, rows, cols, last, mean + j, rstd + j, sum_dy + j,
                                          sum_dy_xhat + j, from_memory);
    });
}

}  // namespace

#include "../stored_column_sum_entry_points.h"

}  // namespace norm4j::NORM4J_AVX512_SET
