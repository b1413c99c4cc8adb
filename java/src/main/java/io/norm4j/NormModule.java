package io.norm4j;

import java.util.ArrayList;
import java.util.List;

/**
 * What every norm module shares, in the manner of {@code torch.nn.Module}: a backend choice, a
 * training/evaluation mode (training by default, as in PyTorch), and the tensors it owns, which
 * {@link #close()} releases.
 *
 * @param <M> the module's own type, so {@link #backend(Backend)} and friends chain
 */
public abstract class NormModule<M extends NormModule<M>> implements AutoCloseable {
    private final List<Tensor> owned = new ArrayList<>();
    private volatile Norms norms = Norms.auto();
    private volatile boolean training = true;
    private volatile boolean closed;

    NormModule() {}

    @SuppressWarnings("unchecked")
    private M self() {
        return (M) this;
    }

    /** Runs on {@code backend} from now on. */
    public M backend(Backend backend) {
        this.norms = Norms.on(backend);
        return self();
    }

    public Backend backend() {
        return norms.backend();
    }

    /** Training mode: batch statistics, running statistics updated (where the module has them). */
    public M train() {
        training = true;
        return self();
    }

    /** Evaluation mode: running statistics used (where the module tracks them). */
    public M eval() {
        training = false;
        return self();
    }

    public boolean isTraining() {
        return training;
    }

    /** The functional API this module calls; every call goes through here, so a closed module refuses it. */
    Norms norms() {
        checkOpen();
        return norms;
    }

    /** Throws {@link IllegalStateException} once the module is closed. */
    final void checkOpen() {
        if (closed) throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }

    public boolean isClosed() {
        return closed;
    }

    /** A tensor the module owns and closes, filled with {@code value}. */
    final Tensor own(float value, long... shape) {
        Tensor t = Tensor.allocate(shape).fill(value);
        owned.add(t);
        return t;
    }

    /** Swaps an owned tensor for a new one (for saved statistics whose size follows the input). */
    final Tensor reown(Tensor old, long... shape) {
        if (old != null && java.util.Arrays.equals(old.dims(), shape)) return old;
        if (old != null) {
            owned.remove(old);
            old.close();
        }
        return own(0f, shape);
    }

    /** Allocates y like x (shape and storage type), runs {@code forward}, and closes y again if it throws. */
    final Tensor forwardInto(Tensor x, java.util.function.BiConsumer<Tensor, Tensor> forward) {
        checkOpen();
        Checks.input("x", x);
        Tensor y = Tensor.allocate(x.dtype(), x.dims());
        try {
            forward.accept(x, y);
            return y;
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
    }

    // ---- training: what a training-mode forward keeps, and backward -----------------------------

    /** The input of the last training-mode forward (held, not copied), or null. */
    private Tensor savedInput;

    private final List<Tensor> grads = new ArrayList<>();

    /** Records x as what {@link #backward(Tensor)} goes back through (null: nothing). */
    final void keepForBackward(Tensor x) {
        savedInput = x;
    }

    /**
     * The gradient of the loss with respect to the input of the last training-mode forward call,
     * given {@code dy}, the gradient with respect to its output: a new tensor, which the caller
     * closes. The parameter gradients are added to {@code weightGrad()} and {@code biasGrad()}, as
     * PyTorch accumulates {@code .grad}; {@link #zeroGrad()} clears them.
     *
     * <p>The forward keeps its input by reference: keep it open and unchanged until backward. The
     * saved statistics and the gradients belong to the module and are closed with it.
     *
     * @param dy gradient with respect to the forward's output (same shape as its input)
     * @return dx, owned by the caller, stored as dy is
     * @throws IllegalStateException if no training-mode forward came before, or its input was closed
     */
    public Tensor backward(Tensor dy) {
        return backwardThrough(dy, "the input of the last training-mode forward", (x, dx) -> backwardInto(x, dy, dx));
    }

    /** dx for the saved input, written by {@code into(saved, dx)}; dx is closed again if it throws. */
    private Tensor backwardThrough(Tensor dy, String savedName, java.util.function.BiConsumer<Tensor, Tensor> into) {
        checkOpen();
        Tensor saved = savedInput;
        if (saved == null) {
            throw new IllegalStateException(getClass().getSimpleName()
                    + ".backward needs a training-mode forward call first: nothing to go back through");
        }
        saved.checkOpen(savedName);
        Checks.input("dy", dy);
        Tensor dx = Tensor.allocate(dy.dtype(), saved.dims());
        try {
            into.accept(saved, dx);
            return dx;
        } catch (RuntimeException e) {
            dx.close();
            throw e;
        }
    }

    /**
     * After a training-mode forward with a residual add ({@link RMSNorm#forward(Tensor, Tensor,
     * Tensor, Tensor)}, {@link LayerNorm#forward(Tensor, Tensor, Tensor, Tensor)}): the gradient of
     * x and of residual alike, given dy and {@code dh}, the gradient arriving on h from later in the
     * network (null for none, which is {@link #backward(Tensor)}). A new tensor, stored as dy is.
     *
     * @throws UnsupportedOperationException on a module without a residual add
     */
    public Tensor backward(Tensor dy, Tensor dh) {
        if (dh == null) return backward(dy);
        return backwardThrough(dy, "the h of the last training-mode forward",
                (h, dx) -> residualBackwardInto(h, dy, dh, dx));
    }

    /** Writes dx for the last training-mode forward's input x and adds to the parameter gradients. */
    void backwardInto(Tensor x, Tensor dy, Tensor dx) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no backward");
    }

    /** As backwardInto, for a forward with a residual add whose h is given, dh added to dx. */
    void residualBackwardInto(Tensor h, Tensor dy, Tensor dh, Tensor dx) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no residual add");
    }

    /** Sets every parameter gradient to zero. */
    public M zeroGrad() {
        checkOpen();
        for (Tensor g : grads) g.fill(0f);
        return self();
    }

    /** A gradient tensor the module owns (zeros), cleared by {@link #zeroGrad()}; null when {@code param} is. */
    final Tensor gradOf(Tensor param) {
        if (param == null) return null;
        Tensor g = own(0f, param.dims());
        grads.add(g);
        return g;
    }

    /**
     * Runs {@code kernel} with fresh parameter-gradient outputs shaped like the gradients given
     * (null stays null), then adds them into those gradients.
     */
    static void accumulating(Tensor weightGrad, Tensor biasGrad, java.util.function.BiConsumer<Tensor, Tensor> kernel) {
        try (Tensor dw = weightGrad == null ? null : Tensor.allocate(weightGrad.dims());
                Tensor db = biasGrad == null ? null : Tensor.allocate(biasGrad.dims())) {
            kernel.accept(dw, db);
            add(weightGrad, dw);
            add(biasGrad, db);
        }
    }

    private static void add(Tensor into, Tensor delta) {
        if (into == null) return;
        java.nio.FloatBuffer a = into.buffer(), d = delta.buffer();
        for (int i = 0; i < into.numel(); i++) a.put(i, a.get(i) + d.get(i));
    }

    /** Product of x's leading dimensions before the trailing {@code k} (the rows of a row norm). */
    static long leadingCount(Tensor x, int k) {
        long[] d = x.dims();
        return Shapes.product("x", d, 0, Math.max(0, d.length - k));
    }

    /**
     * Closes every tensor the module owns (parameters, running and saved statistics); every later
     * call on the module throws {@link IllegalStateException}. Closing twice is allowed.
     */
    @Override
    public void close() {
        closed = true;
        savedInput = null;
        owned.forEach(Tensor::close);
    }
}
