// Helpers of the kernels written once, over an ISA's vector layer (vector_avx2.h,
// vector_avx512.h). Included inside that ISA's namespace, after its vector layer, by the
// generic kernel files; no include guard, as for kernel_functions.h.

// The kLanes values at p (m their live lanes; stored as f32, bf16 or f16) as two vectors of
// doubles: whole vectors widened straight from memory (no shuffle to split a wide load).
template <typename T>
inline void load_halves(const T *p, Lanes m, Doubles &lo, Doubles &hi) {
    if (whole(m)) {
        lo = load_widened(p);
        hi = load_widened(p + kHalfLanes);
    } else {
        const Floats v = load(p, m);
        lo = widen_low(v);
        hi = widen_high(v);
    }
}

// The kLanes values at p (m their live lanes) as two vectors of doubles in "pair order", with the
// live lanes of each. Sums that only add lane by lane may keep their accumulators in it, with
// their per-lane constants taken into it (swap_pair_order<T>), and put the sums back in order
// (swap_pair_order<T> again) before combining lanes or storing them: the same bits as in order.
// Pair order is the values' order (load_halves) except where a vector layer overloads load_pair
// for a type it widens faster out of order (vector_avx512.h: bf16).
template <typename T>
inline void load_pair(const T *p, Lanes m, Doubles &lo, Doubles &hi, HalfLanes &live_lo, HalfLanes &live_hi) {
    load_halves(p, m, lo, hi);
    live_lo = low_half(m);
    live_hi = high_half(m);
}

// The whole vector of values at p, stored as f32, bf16 or f16, as floats.
inline Floats load_whole(const float *p) { return loadu(p); }
template <typename H>
inline Floats load_whole(const H *p) { return load(p, all_lanes()); }

// Writes y[0, n), block(i, m) giving the vector of values i..i+kLanes-1 (m its live lanes).
// With around_caches, the whole vectors from y's first vector-sized boundary on go around the caches
// (store_around_caches, which the caller fences: parallel_for does, once per thread), the head
// and the tail through them.
template <typename T, typename Block>
inline void write_row(T *y, int64_t n, bool around_caches, Block block) {
    // A vector of T is kLanes * sizeof(T) bytes: stores around the caches need that alignment,
    // which a y not aligned to its own type can never reach.
    constexpr uintptr_t vector_bytes = kLanes * sizeof(T);
    int64_t i = 0;
    if (around_caches && reinterpret_cast<uintptr_t>(y) % sizeof(T) == 0) {
        const auto misalignment = reinterpret_cast<uintptr_t>(y) & (vector_bytes - 1);
        const int64_t to_boundary = static_cast<int64_t>(((vector_bytes - misalignment) & (vector_bytes - 1)) / sizeof(T));
        const int64_t head = to_boundary < n ? to_boundary : n;
        if (head > 0) store(y, first_lanes(head), block(0, first_lanes(head)));
        for (i = head; i + kLanes <= n; i += kLanes) store_around_caches(y + i, block(i, all_lanes()));
    } else {
        for (; i + kLanes <= n; i += kLanes) store(y + i, all_lanes(), block(i, all_lanes()));
    }
    if (i < n) store(y + i, first_lanes(n - i), block(i, first_lanes(n - i)));
}

// Writes the [rows, cols] block y as one flat run (write_row): block(i, m, j) gives the values at
// flat position i, whose first column is j = i mod cols, so its per-column constants are the
// kLanes wrapped values from j on (kernels.h: normalize_columns).
template <typename T, typename Block>
inline void write_columns(T *y, int64_t rows, int64_t cols, bool around_caches, Block block) {
    int64_t at = 0, column = 0;
    write_row(y, rows * cols, around_caches, [&](int64_t i, Lanes m) {
        for (column += i - at, at = i; column >= cols;) column -= cols;  // steps of at most kLanes
        return block(i, m, column);
    });
}

// The double accumulators of one vector of columns (two halves), added into the caller's
// per-column array once per tile.
struct ColumnBlockSums {
    Doubles lo = zero_doubles(), hi = zero_doubles();

    void add_to(double *acc, Lanes m) const {
        const HalfLanes l = low_half(m), h = high_half(m);
        store(acc, l, add(load(acc, l), lo));
        store(acc + kHalfLanes, h, add(load(acc + kHalfLanes, h), hi));
    }
};

// Whether p starts a cache line: then every vector of rows of whole vectors from p is whole
// lines, and all of them can go around the caches.
inline bool starts_line(const void *p) { return (reinterpret_cast<uintptr_t>(p) & 63) == 0; }

// Rows per tile for the tiled column kernels: a tile of rows x cols floats fits L1.
inline int64_t column_tile_rows(int64_t cols) {
    const int64_t rows = kColumnTileValues / (cols > 0 ? cols : 1);
    return rows < 4 ? 4 : (rows > 256 ? 256 : rows);
}
