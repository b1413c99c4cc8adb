package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Output tensors filled with a sentinel and fenced by canaries on both sides in the same
 * allocation, to prove that a call wrote nothing (rejected input) or nothing outside its output.
 */
final class Sentinels {
    static final float SENTINEL = -12345.5f;
    static final float CANARY = 98765.25f;
    static final int FENCE = 16;

    private final FloatBuffer backing;
    final Tensor tensor;
    private final int n;

    Sentinels(long... shape) {
        n = Math.toIntExact(Shapes.numel("shape", shape));
        backing = ByteBuffer.allocateDirect((n + 2 * FENCE) * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n + 2 * FENCE; i++) backing.put(i, i < FENCE || i >= FENCE + n ? CANARY : SENTINEL);
        tensor = Tensor.wrap(backing.duplicate().position(FENCE), shape);
    }

    /**
     * Runs {@code call}, expects {@code type} with {@code word} in its message, and checks that none of
     * {@code outputs} was written.
     */
    static void assertRejected(Class<? extends Throwable> type, String word,
            org.junit.jupiter.api.function.Executable call, Sentinels... outputs) {
        Throwable t = org.junit.jupiter.api.Assertions.assertThrows(type, call);
        org.junit.jupiter.api.Assertions.assertTrue(t.getMessage() != null && t.getMessage().contains(word),
                () -> "message should name '" + word + "': " + t.getMessage());
        for (Sentinels s : outputs) s.assertUntouched();
    }

    void assertCanariesIntact() {
        for (int i = 0; i < FENCE; i++) {
            assertEquals(CANARY, backing.get(i), "canary before the output at " + i);
            assertEquals(CANARY, backing.get(FENCE + n + i), "canary after the output at " + i);
        }
    }

    void assertUntouched() {
        assertCanariesIntact();
        for (int i = 0; i < n; i++) assertEquals(SENTINEL, backing.get(FENCE + i), "output element " + i + " was written");
    }
}
