package io.norm4j.lecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each experiment of the lecture at reduced size, seeded: the direction of each effect it claims,
 * with a margin, so that a broken norm or backward (or a lucky seed) cannot pass for the effect.
 */
class LectureTest {
    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @SuppressWarnings("unchecked")
    private static Map<String, Object> numbers(Result r, String key) {
        return (Map<String, Object>) r.numbers().get(key);
    }

    @Test
    void scaledFeaturesReachTheTargetTenTimesSoonerThanRawOnes() {
        Result r = FeatureScaling.run(Scale.QUICK, QUIET);
        int raw = (int) numbers(r, "raw").get("steps"), mm = (int) numbers(r, "min-max").get("steps"),
                st = (int) numbers(r, "standardized").get("steps");
        assertTrue(mm >= 0 && st >= 0, r.lines().toString());
        assertTrue(raw < 0 || raw > 10 * Math.max(mm, st), r.lines().toString());
        assertTrue(r.reproduced(), r.verdict());
    }

    @Test
    void theFourStepsMatchTheLibrarysBatchNorm() {
        Result r = BatchNormSteps.run(Scale.QUICK, QUIET);
        assertTrue((double) r.numbers().get("maxAbsDifference") <= (double) r.numbers().get("bound"), r.lines().toString());
        assertEquals(List.of(3.0, 30.0, 1.0), r.numbers().get("mean"));
    }

    @SuppressWarnings("unchecked")
    @Test
    void batchNormDegradesAtBatchTwoWhileGroupNormDoesNot() {
        Result r = BatchSize.run(Scale.QUICK, QUIET);
        List<Double> bn = (List<Double>) r.numbers().get("batch norm"), gn = (List<Double>) r.numbers().get("group norm");
        // Sizes 32 and 2: batch norm's error rises by 3 points more than group norm's, and ends 3 above it.
        assertTrue(bn.get(1) - bn.get(0) > gn.get(1) - gn.get(0) + 0.03, r.lines().toString());
        assertTrue(bn.get(1) > gn.get(1) + 0.03, r.lines().toString());
    }

    @Test
    void batchNormMakesLossAndGradientChangeLessAlongTheGradient() {
        Result r = Smoothness.run(Scale.QUICK, QUIET);
        Map<String, Object> none = numbers(r, "none"), bn = numbers(r, "batch norm"), noisy = numbers(r, "noisy batch norm");
        assertTrue((double) bn.get("meanLossRange") < 0.8 * (double) none.get("meanLossRange"), r.lines().toString());
        assertTrue((double) bn.get("meanGradientChange") < 0.8 * (double) none.get("meanGradientChange"), r.lines().toString());
        // Injected covariate shift does not stop batch norm from training: well below the start, ln 4.
        assertTrue((double) noisy.get("finalTrainLoss") < 0.6 * Math.log(4), r.lines().toString());
    }

    @Test
    void instanceNormRemovesPerImageContrastAndBatchNormKeepsIt() {
        Result r = InstanceContrast.run(Scale.QUICK, QUIET);
        Map<String, Object> raw = numbers(r, "raw"), in = numbers(r, "instance norm"), bn = numbers(r, "batch norm");
        assertTrue((double) in.get("stdCoefficientOfVariation") < 0.01, r.lines().toString());
        assertTrue((double) in.get("samePatternDistance") < 0.01, r.lines().toString());
        assertTrue((double) bn.get("stdCoefficientOfVariation") > 0.5 * (double) raw.get("stdCoefficientOfVariation"),
                r.lines().toString());
        assertTrue(r.reproduced(), r.verdict());
    }

    @Test
    void experimentsAreNamedByIdOrNumberAndAnUnknownOneIsRefusedWithTheChoices() {
        assertEquals("smoothness", Lecture.resolve("4"));
        assertEquals("batch-size", Lecture.resolve("batch-size"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lecture.resolve("6"));
        assertTrue(e.getMessage().contains("scaling") && e.getMessage().contains("'6'"), e.getMessage());
    }

    @Test
    void anExperimentIsDeterministic() {
        assertEquals(Smoothness.run(Scale.QUICK, QUIET).numbers().toString(),
                Smoothness.run(Scale.QUICK, QUIET).numbers().toString());
    }
}
