// The fused norms' activations (kernels.h: activate, activation_gradient_plane,
// activation_gradient_row; activation_constants.h defines them), written once over an ISA's
// vector layer; segment_kernels.h and column_kernels.h apply them in their output passes. Included inside the ISA's namespace, after its vector layer and
// vector_helpers.h; no include guard, as for kernel_functions.h.

// e(t), as activation_constants.h defines it.
inline Floats exp_of(Floats t) {
    const Floats clamped = min(max(t, floats(kExpLowest)), floats(kExpHighest));
    const Floats n = round_nearest(mul(clamped, floats(kLog2E)));
    Floats r = fnma(n, floats(kLn2High), clamped);
    r = fnma(n, floats(kLn2Low), r);
    Floats p = floats(kExpTerms[kExpDegree]);
    for (int i = kExpDegree - 1; i >= 0; --i) p = fma(p, r, floats(kExpTerms[i]));
    return where_greater(t, floats(kExpOverflow), floats(__builtin_inff()), times_pow2(p, n));
}

template <int kKind>
inline Floats activated(Floats v) {
    if (kKind == NORM4J_ACTIVATION_NONE) return v;
    if (kKind == NORM4J_ACTIVATION_RELU) return max(floats(0.0f), v);  // v where v is NaN
    return div(v, add(floats(1.0f), exp_of(sub(floats(0.0f), v))));
}

// dy times the activation's derivative at the pre-activation (x - mean) * rstd * w + b.
template <int kKind>
inline Floats activation_gradient(Floats x, Floats dy, Floats mean, Floats rstd, Floats w, Floats b) {
    const Floats pre = add(mul(mul(sub(x, mean), rstd), w), b);
    const Floats zero = floats(0.0f), one = floats(1.0f);
    if (kKind == NORM4J_ACTIVATION_RELU) return where_greater(pre, zero, dy, zero);
    const Floats s = div(one, add(one, exp_of(sub(zero, pre))));
    return mul(dy, mul(s, fma(pre, sub(one, s), one)));
}

template <int kKind>
void activate_kind(float *y, int64_t n) {
    write_row(y, n, false, [&](int64_t i, Lanes m) { return activated<kKind>(load(y + i, m)); });
}

void activate(float *y, int64_t n, int kind) {
    if (kind == NORM4J_ACTIVATION_RELU) activate_kind<NORM4J_ACTIVATION_RELU>(y, n);
    else activate_kind<NORM4J_ACTIVATION_SILU>(y, n);
}

template <int kKind>
void gradient_plane_kind(const float *x, const float *dy, float *dpre, int64_t n, const PreActivation &p) {
    const Floats mean = floats(p.mean), rstd = floats(p.rstd), w = floats(p.w), b = floats(p.b);
    write_row(dpre, n, false, [&](int64_t i, Lanes m) {
        return activation_gradient<kKind>(load(x + i, m), load(dy + i, m), mean, rstd, w, b);
    });
}

void activation_gradient_plane(const float *x, const float *dy, float *dpre, int64_t n, const PreActivation &p,
                               int kind) {
    if (kind == NORM4J_ACTIVATION_RELU) gradient_plane_kind<NORM4J_ACTIVATION_RELU>(x, dy, dpre, n, p);
    else gradient_plane_kind<NORM4J_ACTIVATION_SILU>(x, dy, dpre, n, p);
}

template <int kKind>
void gradient_row_kind(const float *x, const float *dy, float *dpre, int64_t c, const PreActivationColumns &p) {
    write_row(dpre, c, false, [&](int64_t i, Lanes m) {
        return activation_gradient<kKind>(load(x + i, m), load(dy + i, m), load(p.mean + i, m),
                                          load(p.rstd + i, m), load(p.w + i, m), load(p.b + i, m));
    });
}

void activation_gradient_row(const float *x, const float *dy, float *dpre, int64_t c, const PreActivationColumns &p,
                             int kind) {
    if (kind == NORM4J_ACTIVATION_RELU) gradient_row_kind<NORM4J_ACTIVATION_RELU>(x, dy, dpre, c, p);
    else gradient_row_kind<NORM4J_ACTIVATION_SILU>(x, dy, dpre, c, p);
}
