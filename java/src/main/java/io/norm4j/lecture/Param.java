package io.norm4j.lecture;

/**
 * A trainable array and its gradient, as the optimizers see them. Norm modules keep theirs in
 * tensors: {@link #pull()} copies the gradient out before a step and {@link #push()} the values
 * back after it.
 */
class Param {
    final float[] value, grad;

    Param(float[] value, float[] grad) {
        this.value = value;
        this.grad = grad;
    }

    /** Before an optimizer step: make {@link #grad} current. */
    void pull() {}

    /** After an optimizer step: publish {@link #value}. */
    void push() {}

    /** A module's parameter tensor and its gradient tensor. */
    static Param of(io.norm4j.Tensor valueTensor, io.norm4j.Tensor gradTensor) {
        return new Param(valueTensor.toArray(), new float[(int) gradTensor.numel()]) {
            @Override
            void pull() {
                System.arraycopy(gradTensor.toArray(), 0, grad, 0, grad.length);
            }

            @Override
            void push() {
                valueTensor.copyFrom(value);
            }
        };
    }
}
