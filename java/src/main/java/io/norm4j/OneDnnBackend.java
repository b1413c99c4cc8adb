package io.norm4j;

import static io.norm4j.Addresses.of;

import io.norm4j.nativeimpl.Norm4jLibrary;

/**
 * oneDNN's primitives, through norm4j's C++ shim (which caches them per thread): layer, batch and
 * group normalization; instance norm as group norm with one group per channel; RMS norm through
 * layer normalization's rms_norm flag. oneDNN has no min-max scaling: those calls throw.
 */
final class OneDnnBackend extends CheckedBackend {
    OneDnnBackend() {
        super(Backend.ONEDNN);
    }

    @Override
    String describe() {
        return "ONEDNN (" + Norm4jLibrary.norm4j_onednn_version() + ")";
    }

    @Override
    boolean supports(String op) {
        return !op.equals("min_max");
    }

    @Override
    protected void layerNormForward(LayerNormCall c) {
        NativeRuntime.require(Backend.ONEDNN);
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_layer_norm_forward(of(c.x()), of(c.y()), c.rows(), c.cols(),
                of(c.weight()), of(c.bias()), c.eps(), of(c.mean()), of(c.rstd())), "ONEDNN layer_norm");
    }

    @Override
    protected void rmsNormForward(RmsNormCall c) {
        NativeRuntime.require(Backend.ONEDNN);
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_rms_norm_forward(of(c.x()), of(c.y()), c.rows(), c.cols(),
                of(c.weight()), c.eps(), of(c.rstd())), "ONEDNN rms_norm");
    }

    @Override
    protected void batchNormForward(BatchNormCall c, Tensor var) {
        NativeRuntime.require(Backend.ONEDNN);
        ChannelShape s = c.shape();
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_batch_norm_forward(of(c.x()), of(c.y()), s.n(), s.c(), s.s(),
                c.layout().code(), of(c.weight()), of(c.bias()), c.eps(), of(c.runningMean()), of(c.runningVar()),
                of(c.mean()), of(c.rstd()), of(var)), "ONEDNN batch_norm");
    }

    @Override
    protected void groupNormForward(GroupNormCall c, Tensor var) {
        NativeRuntime.require(Backend.ONEDNN);
        ChannelShape s = c.shape();
        NativeRuntime.check(Norm4jLibrary.norm4j_onednn_group_norm_forward(of(c.x()), of(c.y()), s.n(), s.c(), s.s(),
                c.groups(), c.layout().code(), of(c.weight()), of(c.bias()), c.eps(), of(c.mean()), of(c.rstd()),
                of(var)), "ONEDNN group_norm");
    }

    @Override
    protected void minMaxFitKernel(MinMaxCall c) {
        throw unsupported();
    }

    @Override
    protected void minMaxTransformKernel(MinMaxCall c) {
        throw unsupported();
    }

    private static UnsupportedOperationException unsupported() {
        return new UnsupportedOperationException(
                "ONEDNN has no min-max scaling primitive; use Backend.NATIVE, Backend.REFERENCE or AUTO");
    }
}
