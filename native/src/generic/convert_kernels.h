// The storage conversions (kernels.h: bf16_to_floats through floats_to_f16), written once over
// an ISA's vector layer, whose loads widen and whose stores round. Included inside the ISA's
// namespace, after its vector layer and vector_helpers.h; no include guard, as for
// kernel_functions.h.

namespace {

// dst[i] = src[i] converted: loads from src's type, stores to dst's.
template <typename From, typename To>
void convert_run(const From *src, To *dst, int64_t n) {
    write_row(dst, n, false, [&](int64_t i, Lanes m) { return load(src + i, m); });
}

}  // namespace

void bf16_to_floats(const bf16 *src, float *dst, int64_t n) { convert_run(src, dst, n); }
void floats_to_bf16(const float *src, bf16 *dst, int64_t n) { convert_run(src, dst, n); }
void f16_to_floats(const f16 *src, float *dst, int64_t n) { convert_run(src, dst, n); }
void floats_to_f16(const float *src, f16 *dst, int64_t n) { convert_run(src, dst, n); }
