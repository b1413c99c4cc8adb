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
