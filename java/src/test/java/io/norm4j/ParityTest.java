package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.parity.InputDistribution;
import io.norm4j.parity.ParityGrid;
import io.norm4j.parity.ParityResult;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend (NATIVE once per kernel set) against REFERENCE over the whole parity grid: op x
 * direction x layout x mode x affine x shape x input, on every backend that supports the op. Where the tolerance policy claims no parity (oneDNN's
 * f32 statistics on ill-conditioned input) the accuracy claim is checked instead: NATIVE meets the
 * tight bound and is at least as accurate as oneDNN.
 */
class ParityTest {
    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (BackendVariant v : BackendVariant.available())
            for (ParityGrid.Case c : ParityGrid.cases())
                if (c.runsOn(v.backend)) all.add(Arguments.of(v, c));
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesReference(BackendVariant variant, ParityGrid.Case c) {
        Runnable restore = variant.activate();
        ParityResult r;
        try {
            r = c.run().apply(variant.backend);
        } finally {
            restore.run();
        }
        if (r.parityClaimed()) {
            assertTrue(r.pass(), r::toString);
            return;
        }
        ParityResult nat = c.run().apply(Backend.NATIVE);
        assertTrue(nat.parityClaimed() && nat.pass(), nat::toString);
        assertTrue(nat.maxAbsErr() <= r.maxAbsErr(), () -> nat + " vs " + r);
        if (r.input() == InputDistribution.CONSTANT) assertEquals(0.0, nat.maxAbsErr(), nat::toString); // exactly bias
    }
}
