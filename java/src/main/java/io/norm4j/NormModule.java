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

    /** Allocates y like x, runs {@code forward}, and closes y again if it throws. */
    final Tensor forwardInto(Tensor x, java.util.function.BiConsumer<Tensor, Tensor> forward) {
        checkOpen();
        Checks.input("x", x);
        Tensor y = Tensor.allocate(x.dims());
        try {
            forward.accept(x, y);
            return y;
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
    }

    /**
     * Closes every tensor the module owns (parameters, running and saved statistics); every later
     * call on the module throws {@link IllegalStateException}. Closing twice is allowed.
     */
    @Override
    public void close() {
        closed = true;
        owned.forEach(Tensor::close);
    }
}
