package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.Backend;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Closing tensors while another thread is inside a call on them never crashes: the call either
 * completes (the memory stays alive until it returns) or is refused with IllegalStateException.
 */
class CloseDuringCallTest {
    @Test
    void closingWhileAnotherThreadComputesIsSafe() throws Exception {
        AtomicInteger completed = new AtomicInteger(), refused = new AtomicInteger();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        for (int round = 0; round < 60; round++) {
            Backend backend = round % 3 == 0 ? Backend.ONEDNN : round % 3 == 1 ? Backend.NATIVE : Backend.REFERENCE;
            int rows = backend == Backend.REFERENCE ? 16 : 512;
            Tensor x = Tensor.allocate(rows, 1024).fill(2f);
            Tensor y = Tensor.allocate(rows, 1024);
            Thread worker = new Thread(() -> {
                try {
                    for (int i = 0; i < 50; i++) Norms.on(backend).layerNorm(x, new long[] {1024}, null, null, 1e-5, y);
                    completed.incrementAndGet();
                } catch (IllegalStateException e) {
                    refused.incrementAndGet(); // "x is closed" or "y is closed": the documented outcome
                } catch (Throwable t) {
                    unexpected.set(t);
                }
            });
            worker.start();
            Thread.sleep(round % 5);
            x.close();
            y.close();
            worker.join();
            System.gc(); // let closed, unreachable tensors' memory go while other rounds run
        }
        assertTrue(unexpected.get() == null, () -> "unexpected " + unexpected.get());
        assertTrue(refused.get() > 0, "some calls must have met a closed tensor");
    }
}
