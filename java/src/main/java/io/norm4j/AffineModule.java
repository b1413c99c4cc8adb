package io.norm4j;

/**
 * A norm module with an optional learnable per-element or per-channel weight (ones) and bias
 * (zeros), and the gradients {@link #backward(Tensor)} accumulates into them.
 *
 * @param <M> the module's own type, so its setters chain
 */
public abstract class AffineModule<M extends AffineModule<M>> extends NormModule<M> {
    final Tensor weight, bias, weightGrad, biasGrad;

    /** @param paramShape the shape of weight and bias, already checked by the subclass */
    AffineModule(boolean affine, long... paramShape) {
        this.weight = affine ? own(1f, paramShape) : null;
        this.bias = affine ? own(0f, paramShape) : null;
        this.weightGrad = gradOf(weight);
        this.biasGrad = gradOf(bias);
    }

    /** Normalizes x into y (same shape); in training mode it also keeps what backward needs. */
    public abstract void forward(Tensor x, Tensor y);

    /** Normalizes x into a new tensor, which the caller closes. */
    public Tensor forward(Tensor x) {
        return forwardInto(x, this::forward);
    }

    /**
     * x's channel count (in layout, as op reads it) must be the module's: checked before statistics
     * or parameters sized by it could name the mismatch instead. {@code what} names the module's
     * count, e.g. "numFeatures".
     */
    final void checkChannels(Tensor x, Layout layout, Op op, long expected, String what) {
        checkOpen();
        Checks.input("x", x);
        long c = ChannelShape.of("x", x, layout, op).c();
        if (c != expected) {
            throw new IllegalArgumentException("x has " + c + " channels (shape " + Shapes.format(x.dims()) + ", "
                    + layout.id() + ") but " + getClass().getSimpleName() + " has " + what + " " + expected);
        }
    }

    /** The scale (initially ones), or null without affine. Write into it to train or load. */
    public Tensor weight() {
        return weight;
    }

    /** The shift (initially zeros), or null without affine. */
    public Tensor bias() {
        return bias;
    }

    /** Gradient of the loss with respect to the weight, accumulated by backward; null without affine. */
    public Tensor weightGrad() {
        return weightGrad;
    }

    /** Gradient of the loss with respect to the bias, accumulated by backward; null without affine. */
    public Tensor biasGrad() {
        return biasGrad;
    }
}
