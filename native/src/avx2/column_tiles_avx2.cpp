// AVX2's channel sums over a channels-last matrix: rows in L1-sized tiles, each vector of
// columns with its sums in registers across a tile's rows. Written for AVX2 alone: its 16
// registers hold one vector of columns' sums at a time, where AVX-512 holds a panel of four over
// all the rows (avx512/column_panels_avx512.cpp).
#include "kernels_avx2.h"

namespace norm4j::avx2 {

namespace {

template <typename T>
void column_pivoted_sums_tiled(const T *x, int64_t rows, int64_t cols, const float *pivot, double *s1,
                               double *s2) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += kLanes) {
            const Lanes m = first_lanes(cols - j);
            const Floats pv = load(pivot + j, m);
            const Doubles p0 = widen_low(pv), p1 = widen_high(pv);
            ColumnBlockSums a, q;
            for (int64_t r = r0; r < r1; ++r) {
                const Floats v = load(x + r * cols + j, m);
                // Missing lanes: 0 - 0 (the pivot loads as 0 there too) adds nothing.
                const Doubles d0 = sub(widen_low(v), p0), d1 = sub(widen_high(v), p1);
                a.lo = add(a.lo, d0);
                a.hi = add(a.hi, d1);
                q.lo = fma(d0, d0, q.lo);
                q.hi = fma(d1, d1, q.hi);
            }
            a.add_to(s1 + j, m);
            q.add_to(s2 + j, m);
        }
    }
}

template <typename T>
void column_pivoted_sums_stored(const T *x, int64_t rows, int64_t cols, const float *pivot, double *s1, double *s2) {
    if (cols > kAvx2NarrowColumns) {
        column_pivoted_sums_tiled(x, rows, cols, pivot, s1, s2);
        return;
    }
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += kLanes) {
            const Lanes m = first_lanes(cols - j);
            const Floats pv = load(pivot + j, m), v = load(x + r * cols + j, m);
            // Missing lanes: 0 - 0 (the pivot loads as 0 there too) adds nothing.
            ColumnBlockSums d, q;
            d.lo = sub(widen_low(v), widen_low(pv));
            d.hi = sub(widen_high(v), widen_high(pv));
            q.lo = mul(d.lo, d.lo);
            q.hi = mul(d.hi, d.hi);
            d.add_to(s1 + j, m);
            q.add_to(s2 + j, m);
        }
    }
}

template <typename T>
void column_backward_sums_stored(const T *x, const T *dy, int64_t rows, int64_t cols, const float *mean,
                                 const float *rstd, double *sum_dy, double *sum_dy_xhat, bool from_memory) {
    const int64_t tile = column_tile_rows(cols);
    for (int64_t r0 = 0; r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += kLanes) {
            const Lanes m = first_lanes(cols - j);
            Doubles m0, m1;
            load_halves(mean + j, m, m0, m1);
            ColumnBlockSums d, g;
            // This vector's line of each row of the next tile, asked for as the rows pass (by
            // the vectors that start a line): all of a tile's lines at once overran the misses a
            // core keeps in flight, and the loads waited behind them.
            const bool prefetch_next_tile = from_memory && j % 16 == 0;
            for (int64_t r = r0; r < r1; ++r) {
                if (prefetch_next_tile && r + tile < rows) {
                    __builtin_prefetch(x + (r + tile) * cols + j, 0, 3);
                    __builtin_prefetch(dy + (r + tile) * cols + j, 0, 3);
                }
                // Missing lanes load dy = 0, so they add nothing to either sum. Sum dy * xhat is
                // taken as rstd * sum dy * (x - mean), rstd being the column's constant.
                Doubles x0, x1, e0, e1;
                load_halves(x + r * cols + j, m, x0, x1);
                load_halves(dy + r * cols + j, m, e0, e1);
                d.lo = add(d.lo, e0);
                d.hi = add(d.hi, e1);
                g.lo = fma(e0, sub(x0, m0), g.lo);
                g.hi = fma(e1, sub(x1, m1), g.hi);
            }
            Doubles s0, s1;
            load_halves(rstd + j, m, s0, s1);
            g.lo = mul(g.lo, s0);
            g.hi = mul(g.hi, s1);
            d.add_to(sum_dy + j, m);
            g.add_to(sum_dy_xhat + j, m);
        }
    }
}

}  // namespace

#include "../stored_column_sum_entry_points.h"

}  // namespace norm4j::avx2
