package io.norm4j.nativeimpl;

import java.nio.Buffer;
import org.bytedeco.javacpp.Pointer;

/** Start addresses of direct buffers, through JavaCPP (so only where its library loads). */
public final class NativeAddresses {
    private NativeAddresses() {}

    /** Address of element 0 of a direct buffer whose position is 0. */
    public static long of(Buffer direct) {
        if (!direct.isDirect() || direct.position() != 0) {
            throw new IllegalArgumentException("expected a direct buffer at position 0");
        }
        return new Pointer(direct).address();
    }
}
