package io.norm4j;

import io.norm4j.nativeimpl.Norm4jLibrary;

/** norm4j's own kernels through the C ABI; the kernel set (avx2, scalar) is chosen natively. */
final class NativeBackend extends CheckedBackend {
    NativeBackend() {
        super(Backend.NATIVE);
    }

    @Override
    String describe() {
        return "NATIVE (" + NativeRuntime.isaName(Norm4jLibrary.norm4j_isa_active()) + ")";
    }

    @Override
    protected void layerNormForward(LayerNormCall c) {
        NativeRuntime.require(Backend.NATIVE);
        NativeRuntime.check(Norm4jLibrary.norm4j_layer_norm_forward(c.x().address(), c.y().address(), c.rows(),
                c.cols(), Addresses.of(c.weight()), Addresses.of(c.bias()), c.eps(), Addresses.of(c.mean()),
                Addresses.of(c.rstd())), "NATIVE layer_norm");
    }
}
