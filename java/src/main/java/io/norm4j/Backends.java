package io.norm4j;

import java.lang.System.Logger.Level;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One instance per backend, and the AUTO rule: the fastest available backend that supports the
 * op, logged once per op. {@code -Dnorm4j.backend=reference|native|onednn} replaces AUTO's choice.
 */
final class Backends {
    private Backends() {}

    private static final System.Logger LOG = System.getLogger("io.norm4j");
    private static final Map<Backend, CheckedBackend> INSTANCES = new EnumMap<>(Backend.class);
    private static final Map<Op, Boolean> LOGGED = new ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicBoolean FALLBACK_LOGGED =
            new java.util.concurrent.atomic.AtomicBoolean();

    static {
        INSTANCES.put(Backend.REFERENCE, new ReferenceBackend());
        INSTANCES.put(Backend.NATIVE, new NativeBackend());
        INSTANCES.put(Backend.ONEDNN, new OneDnnBackend());
    }

    /** The backend for {@code requested} running {@code op} forward; AUTO is resolved for it. */
    static CheckedBackend resolve(Backend requested, Op op) {
        return resolve(requested, op, Op.Direction.FORWARD);
    }

    /** The backend for {@code requested} running {@code op} in {@code direction}; AUTO is resolved for it. */
    static CheckedBackend resolve(Backend requested, Op op, Op.Direction direction) {
        if (requested != Backend.AUTO) {
            if (!requested.isAvailable()) NativeRuntime.require(requested);
            CheckedBackend b = INSTANCES.get(requested);
            if (!b.supports(op, direction)) {
                throw new UnsupportedOperationException(requested + " cannot run " + op.id() + " " + direction.id()
                        + "; use NATIVE, REFERENCE or AUTO");
            }
            return b;
        }
        Backend chosen = autoChoice(op, direction);
        CheckedBackend backend = INSTANCES.get(chosen);
        if (!backend.supports(op, direction)) {  // what no backend runs (the add has no backward)
            throw new UnsupportedOperationException("no backend runs " + op.id() + " " + direction.id());
        }
        if (NativeRuntime.loadFailure().isPresent()) {
            // One warning for the whole process: every op falls back for the same reason.
            if (FALLBACK_LOGGED.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "norm4j: AUTO runs every op on REFERENCE: " + NativeRuntime.loadFailure().get());
            }
        } else if (LOGGED.putIfAbsent(op, Boolean.TRUE) == null) {
            LOG.log(Level.DEBUG, "norm4j: AUTO runs " + op.id() + " on " + backend.describe());
        }
        return backend;
    }

    /** The property's backend when it can run op, else NATIVE, else REFERENCE. */
    private static Backend autoChoice(Op op, Op.Direction direction) {
        String forced = System.getProperty("norm4j.backend");
        if (forced != null && !forced.isBlank()) {
            Backend b = Backend.fromName(forced);
            if (b != Backend.AUTO) {
                if (!b.isAvailable()) NativeRuntime.require(b);
                if (INSTANCES.get(b).supports(op, direction)) return b;
            }
        }
        return Backend.NATIVE.isAvailable() ? Backend.NATIVE : Backend.REFERENCE;
    }
}
