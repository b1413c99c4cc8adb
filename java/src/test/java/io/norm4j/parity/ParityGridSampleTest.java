package io.norm4j.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The main job's sample of the parity grid keeps every op, direction, mode, layout and input. */
class ParityGridSampleTest {
    /** What a case covers, read from its name: "op mode layout [shape] input [affine]". */
    private static Set<String> covered(List<ParityGrid.Case> cases, Function<ParityGrid.Case, String> part) {
        return cases.stream().map(part).collect(Collectors.toSet());
    }

    @Test
    void theSampleCoversWhatTheGridCovers() {
        List<ParityGrid.Case> all = ParityGrid.cases(), sample = ParityGrid.sample();
        assertTrue(sample.size() * ParityGrid.SAMPLE_STRIDE >= all.size(), "at least a tenth of the grid");
        assertTrue(sample.size() * 4 < all.size(), "a sample, not the grid: " + sample.size() + " of " + all.size());
        List<Function<ParityGrid.Case, String>> parts = List.of(
                c -> c.op() + " " + c.direction(),
                c -> c.op() + " " + c.direction() + " " + c.name().split(" ")[1],
                c -> c.op() + " " + c.name().split(" ")[2],
                c -> c.name().replaceAll(".*\\] ", "").replace(" affine", ""));
        for (Function<ParityGrid.Case, String> part : parts) {
            assertEquals(covered(all, part), covered(sample, part));
        }
    }
}
