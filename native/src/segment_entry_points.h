// The segment output kernels' entry points of a vector ISA, written once: they turn the run-time
// choices (weight? bias? linear sums? centring?) into the ISA's templates normalize_impl
// <kWeight, kBias, kCentred> and normalize_then_sums_impl<kWeight, kBias, kLinear, kCentred>.
// Included inside the ISA's namespace, after those templates, in its segment kernels' file; no
// include guard, as for kernel_functions.h.

void normalize(const float *x, float *y, int64_t n, const CentringConstants &c, const float *w,
               const float *b) {
    with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) {
        if (uncentred(c)) normalize_impl<kw.value, kb.value, false>(x, y, n, c, w, b);
        else normalize_impl<kw.value, kb.value, true>(x, y, n, c, w, b);
    });
}

void normalize_then_sums(const float *x, float *y, int64_t n, const CentringConstants &c,
                         const float *w, const float *b, const float *next, double pivot, double *s1,
                         double *s2) {
    with_flags(w != nullptr, b != nullptr, [&](auto kw, auto kb) {
        if (s1 != nullptr)
            normalize_then_sums_impl<kw.value, kb.value, true, true>(x, y, n, c, w, b, next, pivot, s1, s2);
        else if (pivot == 0.0 && !std::signbit(pivot) && uncentred(c))
            normalize_then_sums_impl<kw.value, kb.value, false, false>(x, y, n, c, w, b, next, pivot, s1, s2);
        else
            normalize_then_sums_impl<kw.value, kb.value, false, true>(x, y, n, c, w, b, next, pivot, s1, s2);
    });
}
