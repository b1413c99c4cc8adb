// The column kernels common to the vector ISAs (kernels.h: the columns of a row-major
// [rows, cols] matrix, channels-last data), written once over an ISA's vector layer. Sums take
// the rows in L1-sized tiles, each vector of columns with its sums in registers across the
// tile's rows; outputs walk the rows in memory order, the per-column constants (a few KiB)
// staying in L1, so x and y pass once in order. Included inside the ISA's namespace, after its
// vector layer and vector_helpers.h; no include guard, as for kernel_functions.h. The channel
// sums that hold panels of columns in registers differ by ISA and live in its own folder.

void column_sums(const float *x, int64_t rows, int64_t cols, double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += kLanes) {
            const Lanes m = first_lanes(cols - j);
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const Floats v = load(x + r * cols + j, m);
                s.lo = add(s.lo, widen_low(v));
                s.hi = add(s.hi, widen_high(v));
            }
            s.add_to(acc + j, m);
        }
    }
}

void column_centred_square_sums(const float *x, int64_t rows, int64_t cols, const double *mean,
                                double *acc) {
    for (int64_t r0 = 0, tile = column_tile_rows(cols); r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j = 0; j < cols; j += kLanes) {
            const Lanes m = first_lanes(cols - j);
            const Doubles m0 = load(mean + j, low_half(m)), m1 = load(mean + j + kHalfLanes, high_half(m));
            ColumnBlockSums s;
            for (int64_t r = r0; r < r1; ++r) {
                const Floats v = load(x + r * cols + j, m);
                // Missing lanes: 0 - 0 (the mean loads as 0 there too) adds nothing.
                const Doubles d0 = sub(widen_low(v), m0), d1 = sub(widen_high(v), m1);
                s.lo = fma(d0, d0, s.lo);
                s.hi = fma(d1, d1, s.hi);
            }
            s.add_to(acc + j, m);
        }
    }
}

namespace {

// Columns [j0, j1) of the row at flat position `at` of a channels-last output whose channel count
// is whole vectors: every row starts on lane 0, so the constants are indexed by the column, with
// none of the flat run's per-vector wrapping of that index, and the choices are compile-time
// (tested in the loop, they left GCC short of registers). value(i, j) gives the output vector at
// flat position i, column j; with kPrefetch, prefetch(i) asks for what the reads from i on will need;
// with kAround, the row (whole lines: the caller checks) goes around the caches.
template <bool kPrefetch, bool kAround, typename T, typename Prefetch, typename Value>
inline void column_row(T *y, int64_t at, int64_t j0, int64_t j1, Prefetch prefetch, Value value) {
    for (int64_t j = j0; j < j1; j += kLanes) {
        if constexpr (kPrefetch) prefetch(at + j);
        const Floats v = value(at + j, j);
        if constexpr (kAround) store_around_caches(y + at + j, v);
        else store(y + at + j, all_lanes(), v);
    }
}

// A channels-last output over all rows, for channel counts of whole vectors (column_row), in
// blocks of `block` columns over tiles of rows: with several constants per column, a block's
// constants then stay in L1 while the tile's rows pass (a whole row of 2048 channels and five
// constants, 64 KiB, did not). The same arithmetic as the flat run, so the same bits. Goes around
// the caches with around_caches when y starts on a cache line (then every vector is whole lines); with
// from_memory, prefetch(i) asks for the values from i on, `ahead` ahead of the reads: kPrefetchAhead in one block,
// the next tile's in several. Rows whose values ahead lie past the data prefetch none.
template <typename T, typename Prefetch, typename Value>
void column_rows(T *y, int64_t rows, int64_t cols, int64_t block, bool around_caches, bool from_memory, Prefetch prefetch,
                 Value value) {
    const int64_t tile = block == cols ? rows : std::max<int64_t>(1, kColumnRowTileValues / cols);
    const bool around = around_caches && starts_line(y);
    const int64_t ahead = block == cols ? kPrefetchAhead : tile * cols, end = rows * cols - ahead;
    auto prefetch_ahead_of = [&](int64_t i) { prefetch(i + ahead); };
    for (int64_t r0 = 0; r0 < rows; r0 += tile) {
        const int64_t r1 = std::min(rows, r0 + tile);
        for (int64_t j0 = 0; j0 < cols; j0 += block) {
            const int64_t j1 = std::min(cols, j0 + block);
            for (int64_t r = r0; r < r1; ++r) {
                const int64_t at = r * cols;
                with_flags(from_memory && at + j1 <= end, around, [&](auto kp, auto ka) {
                    column_row<kp.value, ka.value>(y, at, j0, j1, prefetch_ahead_of, value);
                });
            }
        }
    }
}

}  // namespace

template <int kKind, typename X, typename Y>
void normalize_columns_as(const X *x, Y *y, int64_t rows, int64_t cols, const float *hi, const float *scale,
                          const float *shift, bool around_caches, bool from_memory) {
    // y = activation((x - hi) * scale + shift)
    auto value = [&](Floats xv, int64_t j) {
        return activated<kKind>(fma(sub(xv, loadu(hi + j)), loadu(scale + j), loadu(shift + j)));
    };
    if (cols % kLanes == 0) {
        // Three constants per column stay in L1 whatever the width: one block.
        column_rows(y, rows, cols, cols, around_caches, from_memory, [&](int64_t i) { __builtin_prefetch(x + i, 0, 3); },
                    [&](int64_t i, int64_t j) { return value(load_whole(x + i), j); });
        return;
    }
    write_columns(y, rows, cols, around_caches, [&](int64_t i, Lanes m, int64_t j) {
        if (from_memory) prefetch_ahead(x, i, rows * cols);
        return value(load(x + i, m), j);
    });
}

void normalize_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                       const float *scale, const float *shift, bool around_caches, bool from_memory) {
    normalize_columns_as<NORM4J_ACTIVATION_NONE>(x, y, rows, cols, hi, scale, shift, around_caches, from_memory);
}

void normalize_columns_activated(const float *x, float *y, int64_t rows, int64_t cols, const float *hi,
                                 const float *scale, const float *shift, bool around_caches, bool from_memory,
                                 int kind) {
    if (kind == NORM4J_ACTIVATION_RELU)
        normalize_columns_as<NORM4J_ACTIVATION_RELU>(x, y, rows, cols, hi, scale, shift, around_caches, from_memory);
    else
        normalize_columns_as<NORM4J_ACTIVATION_SILU>(x, y, rows, cols, hi, scale, shift, around_caches, from_memory);
}

// normalize_columns_activated on x and y stored as bf16 or f16 (or NORM4J_ACTIVATION_NONE, no
// activation): each value widened exactly, the f32 arithmetic, the result rounded once.
template <typename T>
void normalize_columns_activated_stored(const T *x, T *y, int64_t rows, int64_t cols, const float *hi,
                                        const float *scale, const float *shift, bool around_caches, bool from_memory,
                                        int kind) {
    if (kind == NORM4J_ACTIVATION_NONE)
        normalize_columns_as<NORM4J_ACTIVATION_NONE>(x, y, rows, cols, hi, scale, shift, around_caches, from_memory);
    else if (kind == NORM4J_ACTIVATION_RELU)
        normalize_columns_as<NORM4J_ACTIVATION_RELU>(x, y, rows, cols, hi, scale, shift, around_caches, from_memory);
    else
        normalize_columns_as<NORM4J_ACTIVATION_SILU>(x, y, rows, cols, hi, scale, shift, around_caches, from_memory);
}

void normalize_columns_activated_bf16(const bf16 *x, bf16 *y, int64_t rows, int64_t cols, const float *hi,
                                      const float *scale, const float *shift, bool around_caches, bool from_memory,
                                      int kind) {
    normalize_columns_activated_stored(x, y, rows, cols, hi, scale, shift, around_caches, from_memory, kind);
}

void normalize_columns_activated_f16(const f16 *x, f16 *y, int64_t rows, int64_t cols, const float *hi,
                                     const float *scale, const float *shift, bool around_caches, bool from_memory,
                                     int kind) {
    normalize_columns_activated_stored(x, y, rows, cols, hi, scale, shift, around_caches, from_memory, kind);
}

template <typename T>
void column_backward_dx_stored(const T *x, const T *dy, T *dx, int64_t rows, int64_t cols, const float *mean,
                               const float *rstd, const float *k_dy, const float *k_x, const float *k_0,
                               bool around_caches, bool from_memory) {
    // dx = ((x - mean) * rstd) * k_x + (dy * k_dy + k_0)
    auto value = [&](Floats xv, Floats dyv, int64_t j) {
        const Floats t = fma(dyv, loadu(k_dy + j), loadu(k_0 + j));
        return fma(mul(sub(xv, loadu(mean + j)), loadu(rstd + j)), loadu(k_x + j), t);
    };
    if (cols % kLanes == 0) {
        column_rows(dx, rows, cols, std::min(cols, kColumnRowBlock), around_caches, from_memory,
                    [&](int64_t i) {
                        __builtin_prefetch(x + i, 0, 3);
                        __builtin_prefetch(dy + i, 0, 3);
                    },
                    [&](int64_t i, int64_t j) { return value(load_whole(x + i), load_whole(dy + i), j); });
        return;
    }
    write_columns(dx, rows, cols, around_caches, [&](int64_t i, Lanes m, int64_t j) {
        if (from_memory) {
            prefetch_ahead(x, i, rows * cols);
            prefetch_ahead(dy, i, rows * cols);
        }
        return value(load(x + i, m), load(dy + i, m), j);
    });
}

void column_backward_dx(const float *x, const float *dy, float *dx, int64_t rows, int64_t cols,
                        const float *mean, const float *rstd, const float *k_dy, const float *k_x,
                        const float *k_0, bool around_caches, bool from_memory) {
    column_backward_dx_stored(x, dy, dx, rows, cols, mean, rstd, k_dy, k_x, k_0, around_caches, from_memory);
}

void column_backward_dx_bf16(const bf16 *x, const bf16 *dy, bf16 *dx, int64_t rows, int64_t cols, const float *mean,
                             const float *rstd, const float *k_dy, const float *k_x, const float *k_0,
                             bool around_caches, bool from_memory) {
    column_backward_dx_stored(x, dy, dx, rows, cols, mean, rstd, k_dy, k_x, k_0, around_caches, from_memory);
}

void column_backward_dx_f16(const f16 *x, const f16 *dy, f16 *dx, int64_t rows, int64_t cols, const float *mean,
                            const float *rstd, const float *k_dy, const float *k_x, const float *k_0,
                            bool around_caches, bool from_memory) {
    column_backward_dx_stored(x, dy, dx, rows, cols, mean, rstd, k_dy, k_x, k_0, around_caches, from_memory);
}

void column_min_max(const float *x, int64_t rows, int64_t cols, float *mn, float *mx) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += kLanes) {
            const Lanes m = first_lanes(cols - j);
            const Floats v = load(x + r * cols + j, m);
            store(mn + j, m, min(v, load(mn + j, m)));  // NaN values are skipped, as in the scalar code
            store(mx + j, m, max(v, load(mx + j, m)));
        }
    }
}

void scale_columns(const float *x, float *y, int64_t rows, int64_t cols, const float *sub_by,
                   const float *scale, const float *add_to) {
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t j = 0; j < cols; j += kLanes) {
            const Lanes m = first_lanes(cols - j);
            const Floats d = sub(load(x + r * cols + j, m), load(sub_by + j, m));
            const Floats t = mul(d, load(scale + j, m));  // no fma: the same bits as the scalar code
            store(y + r * cols + j, m, add(t, load(add_to + j, m)));
        }
    }
}
