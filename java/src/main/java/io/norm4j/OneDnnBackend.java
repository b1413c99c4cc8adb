package io.norm4j;

import io.norm4j.nativeimpl.Norm4jLibrary;

/** oneDNN's primitives, through norm4j's C++ shim (which caches them per thread). */
final class OneDnnBackend extends CheckedBackend {
    OneDnnBackend() {
        super(Backend.ONEDNN);
    }

    @Override
    String describe() {
        return "ONEDNN (" + Norm4jLibrary.norm4j_onednn_version() + ")";
    }

    @Override
    protected void layerNormForward(LayerNormCall c) {
        NativeRuntime.require(Backend.ONEDNN);
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_layer_norm_forward(c.x().address(), c.y().address(),
                c.rows(), c.cols(), Addresses.of(c.weight()), Addresses.of(c.bias()), c.eps(),
                Addresses.of(c.mean()), Addresses.of(c.rstd())), "ONEDNN layer_norm");
    }
}
