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
    private static final Map<String, Boolean> LOGGED = new ConcurrentHashMap<>();

    static {
        INSTANCES.put(Backend.REFERENCE, new ReferenceBackend());
        INSTANCES.put(Backend.NATIVE, new NativeBackend());
        INSTANCES.put(Backend.ONEDNN, new OneDnnBackend());
    }

    /** The backend for {@code requested}; AUTO is resolved for {@code op}. */
    static CheckedBackend resolve(Backend requested, String op) {
        if (requested != Backend.AUTO) {
            if (!requested.isAvailable()) NativeRuntime.require(requested);
            CheckedBackend b = INSTANCES.get(requested);
            if (!b.supports(op)) {
                throw new UnsupportedOperationException(requested + " cannot run " + op + "; use NATIVE, REFERENCE or AUTO");
            }
            return b;
        }
        Backend chosen = autoChoice(op);
        CheckedBackend backend = INSTANCES.get(chosen);
        if (NativeRuntime.loadFailure().isPresent()) {
            // One warning for the whole process: every op falls back for the same reason.
            if (LOGGED.putIfAbsent("", Boolean.TRUE) == null) {
                LOG.log(Level.WARNING, "norm4j: AUTO runs every op on REFERENCE: " + NativeRuntime.loadFailure().get());
            }
        } else if (LOGGED.putIfAbsent(op, Boolean.TRUE) == null) {
            LOG.log(Level.INFO, "norm4j: AUTO runs " + op + " on " + backend.describe());
        }
        return backend;
    }

    /** The property's backend when it can run op, else NATIVE, else REFERENCE. */
    private static Backend autoChoice(String op) {
        String forced = System.getProperty("norm4j.backend");
        if (forced != null && !forced.isBlank()) {
            Backend b = Backend.fromName(forced);
            if (b != Backend.AUTO) {
                if (!b.isAvailable()) NativeRuntime.require(b);
                if (INSTANCES.get(b).supports(op)) return b;
            }
        }
        return Backend.NATIVE.isAvailable() ? Backend.NATIVE : Backend.REFERENCE;
    }
}
