// Element-wise kernels (kernels.h: add_arrays, copy_floats), written once over an ISA's vector
// layer. Included inside the ISA's namespace, after its vector layer and vector_helpers.h; no
// include guard, as for kernel_functions.h.

namespace {

template <typename T>
void add_stored(const T *a, const T *b, T *out, int64_t n, bool around_caches) {
    write_row(out, n, around_caches, [&](int64_t i, Lanes m) { return add(load(a + i, m), load(b + i, m)); });
}

}  // namespace

void add_arrays(const float *a, const float *b, float *out, int64_t n, bool around_caches) {
    add_stored(a, b, out, n, around_caches);
}
void add_arrays_bf16(const bf16 *a, const bf16 *b, bf16 *out, int64_t n, bool around_caches) {
    add_stored(a, b, out, n, around_caches);
}
void add_arrays_f16(const f16 *a, const f16 *b, f16 *out, int64_t n, bool around_caches) {
    add_stored(a, b, out, n, around_caches);
}

void copy_floats(const float *src, float *dst, int64_t n, bool around_caches) {
    write_row(dst, n, around_caches, [&](int64_t i, Lanes m) { return load(src + i, m); });
}
