package io.norm4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.norm4j.Backend;
import io.norm4j.DType;
import io.norm4j.Norms;
import io.norm4j.Op;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The CLI's --json contract: only JSON on stdout, in the documented shape. */
class MainJsonTest {
    /** The storage type a JSON row's "dtype" names. */
    private static DType dtypeOf(String id) {
        return java.util.Arrays.stream(DType.values()).filter(t -> t.id().equals(id)).findFirst().orElseThrow();
    }

    private static JsonObject runJson(String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(command, true, false, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, status, () -> err.toString(StandardCharsets.UTF_8));
        return JsonParser.parseString(out.toString(StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static void assertHeader(JsonObject doc) {
        assertTrue(doc.has("norm4j") && doc.has("cpu"));
        assertEquals(io.norm4j.RuntimeInfo.activeIsa().orElseThrow(), doc.get("isa").getAsString());
        assertEquals(io.norm4j.RuntimeInfo.lastLevelCacheBytes().orElseThrow(), doc.get("last_level_cache_bytes").getAsLong());
        assertEquals(io.norm4j.RuntimeInfo.lastLevelCacheSource().orElseThrow(),
                doc.get("last_level_cache_source").getAsString());
        JsonObject backends = doc.getAsJsonObject("backends");
        assertEquals(Set.of("reference", "native", "onednn"), backends.keySet());
        assertTrue(backends.getAsJsonObject("onednn").get("available").getAsBoolean());
        assertTrue(backends.getAsJsonObject("onednn").get("version").getAsString().startsWith("3."));
    }

    @Test
    void parityCoversEveryOpBackendLayoutAndMode() {
        JsonObject doc = runJson("parity");
        assertHeader(doc);
        JsonArray results = doc.getAsJsonArray("results");
        Set<String> seen = new java.util.HashSet<>();
        for (JsonElement e : results) {
            JsonObject r = e.getAsJsonObject();
            assertEquals("parity", r.get("kind").getAsString());
            String direction = r.get("direction").getAsString();
            assertTrue(List.of("forward", "backward").contains(direction));
            String op = r.get("op").getAsString(), backend = r.get("backend").getAsString();
            String mode = r.get("mode").getAsString(), layout = r.get("layout").getAsString();
            assertTrue(List.of("inference", "training").contains(mode));
            assertTrue(List.of("native", "onednn").contains(backend));
            assertTrue(List.of("rows", "nchw", "nhwc").contains(layout));
            assertTrue(r.get("tolerance").getAsDouble() >= 0);
            assertTrue(r.has("pass") && r.has("maxAbsErr") && r.has("input") && r.has("shape") && r.has("outputs"));
            if (r.get("parityClaimed").getAsBoolean()) assertTrue(r.get("pass").getAsBoolean(), r::toString);
            seen.add(op + " " + backend + " " + layout + " " + mode);
            seen.add(op + " " + direction + " " + backend);
            String dtype = r.get("dtype").getAsString();
            assertTrue(List.of("f32", "bf16", "f16").contains(dtype), dtype);
            if (!dtype.equals("f32") && backend.equals("onednn"))
                assertTrue(Norms.on(Backend.ONEDNN).supports(Op.fromId(op), Op.Direction.fromId(direction),
                        dtypeOf(dtype)), "ONEDNN takes " + dtype + " here: " + r);
            seen.add(op + " " + direction + " " + backend + " " + dtype);
        }
        for (String op : List.of("layer_norm", "rms_norm", "batch_norm", "group_norm", "instance_norm", "min_max"))
            for (String dtype : List.of("bf16", "f16")) {
                assertTrue(seen.contains(op + " forward native " + dtype), op + " forward " + dtype);
                if (!op.equals("min_max")) assertTrue(seen.contains(op + " backward native " + dtype), op + " backward " + dtype);
            }
        for (String op : List.of("layer_norm", "rms_norm", "batch_norm", "group_norm", "instance_norm"))
            for (String backend : List.of("native", "onednn")) {
                if (op.equals("rms_norm") && backend.equals("onednn")) continue; // unsupported, see OneDnnBackend
                assertTrue(seen.contains(op + " backward " + backend), op + " backward " + backend);
            }
        for (String backend : List.of("native", "onednn"))
            for (String mode : List.of("inference", "training")) {
                for (String op : List.of("layer_norm", "rms_norm")) assertTrue(seen.contains(op + " " + backend + " rows " + mode));
                for (String op : List.of("batch_norm", "group_norm", "instance_norm"))
                    for (String layout : List.of("nchw", "nhwc"))
                        assertTrue(seen.contains(op + " " + backend + " " + layout + " " + mode), op + " " + backend + " " + layout);
            }
        assertTrue(seen.contains("min_max native rows training") && seen.contains("min_max native rows inference"));
        assertFalse(seen.stream().anyMatch(k -> k.startsWith("min_max onednn")), "oneDNN has no min-max primitive");
    }

    @Test
    void benchReportsTimingsSpeedupsAndBandwidth() {
        JsonObject doc = runJson("bench");
        assertHeader(doc);
        assertTrue(doc.getAsJsonObject("bandwidth").get("copyGBps").getAsDouble() > 0);
        int nativeCases = 0;
        for (JsonElement e : doc.getAsJsonArray("results")) {
            JsonObject r = e.getAsJsonObject();
            assertEquals("bench", r.get("kind").getAsString());
            assertTrue(r.get("nsPerCall").getAsDouble() > 0);
            assertTrue(r.get("gbps").getAsDouble() > 0);
            long numel = 1;
            for (JsonElement d : r.getAsJsonArray("shape")) numel *= d.getAsLong();
            String op = r.get("op").getAsString();
            boolean residual = op.startsWith("add_");
            boolean activated = op.equals("group_norm_silu") || op.equals("batch_norm_relu");
            // x, y (+ dy); a residual add and norm: x, residual, h, y, or h, dy, dh, dx.
            int moved = residual ? 4 : r.get("direction").getAsString().equals("backward") ? 3 : 2;
            assertEquals(residual || activated, r.has("fused"), r::toString);
            int width = r.get("dtype").getAsString().equals("f32") ? 4 : 2; // bytes per stored value
            assertEquals(moved * width * numel, r.get("bytesPerCall").getAsLong());
            // Cases larger than the cache, and every bf16 and f16 twin, carry the copy bandwidth
            // timed in their own rounds.
            boolean large = r.get("bytesPerCall").getAsLong() >= BenchCommand.LAST_LEVEL_CACHE_BYTES
                    || width == 2;
            assertEquals(large, r.has("copyGBps"), r::toString);
            if (large) assertTrue(r.get("copyGBps").getAsDouble() > 0);
            if (r.get("backend").getAsString().equals("native")) {
                nativeCases++;
                assertTrue(r.has("speedupVsReference"), r::toString);
                // oneDNN has no RMS-norm backward in norm4j, no residual add fused with a norm (the
                // unfused sequence runs where it runs the add and the plain norm) and no fused
                // activation backward, and takes the storage types it has primitives for here: no
                // ratio against it elsewhere.
                boolean backward = r.get("direction").getAsString().equals("backward");
                DType type = dtypeOf(r.get("dtype").getAsString());
                Op.Direction direction = Op.Direction.fromId(r.get("direction").getAsString());
                Norms onednn = Norms.on(Backend.ONEDNN);
                boolean onednnRuns = residual
                        ? !r.get("fused").getAsBoolean() && onednn.supports(Op.ADD, Op.Direction.FORWARD, type)
                                && !(op.equals("add_rms_norm") && backward)
                                && onednn.supports(Op.fromId(op).norm(), direction, type)
                        : !(activated && backward) && (!op.equals("rms_norm") || !backward)
                                && onednn.supports(Op.fromId(op), direction, type);
                assertEquals(onednnRuns, r.has("speedupVsOnednn"), r::toString);
            }
        }
        assertEquals(BenchCases.cases(false).size(), nativeCases);
    }

    @Test
    void severalRunsTagEachResultWithItsRunAndReportEachRunsCopy() {
        String label = "layer_norm forward inference rows 1x768";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run("bench", true, false, label, 2, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        JsonObject doc = JsonParser.parseString(out.toString(StandardCharsets.UTF_8)).getAsJsonObject();
        JsonArray copies = doc.getAsJsonObject("bandwidth").getAsJsonArray("copyGBpsByRun");
        assertEquals(2, copies.size());
        assertEquals(copies.get(0).getAsDouble(), doc.getAsJsonObject("bandwidth").get("copyGBps").getAsDouble());
        Set<String> seen = new java.util.HashSet<>();
        for (JsonElement e : doc.getAsJsonArray("results")) {
            JsonObject r = e.getAsJsonObject();
            assertTrue(label.startsWith(r.get("op").getAsString() + " " + r.get("direction").getAsString()), r::toString);
            seen.add(r.get("backend").getAsString() + " " + r.get("run").getAsInt());
        }
        assertEquals(Set.of("reference 1", "native 1", "onednn 1", "reference 2", "native 2", "onednn 2"), seen);
    }

    @Test
    void isaPropertyForcesTheScalarKernelsInAFreshJvm() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Dnorm4j.isa=scalar", "-cp",
                        System.getProperty("java.class.path"), Main.class.getName(), "parity", "--json")
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        JsonObject doc = JsonParser.parseString(out).getAsJsonObject();
        assertEquals("scalar", doc.get("isa").getAsString());
    }

    @Test
    void benchRefusesAnOnlyThatMatchesNothingBeforeTimingAnything() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), log = new ByteArrayOutputStream();
        int status = Main.run("bench", false, false, "NOMATCH", 1, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("no case matches --only \"NOMATCH\""), said);
        assertTrue(!said.contains("bench layer_norm"), "nothing was timed: " + said);
    }

    @Test
    void benchRefusesAnUnwritablePlotPathBeforeTimingAnything() {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        int status = Main.run("bench", false, false, "", 1, Path.of("/nonexistent-folder-of-norm4j/plot.png"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String said = log.toString(StandardCharsets.UTF_8);
        assertTrue(said.contains("cannot write the plot") && said.contains("does not exist"), said);
        assertTrue(!said.contains("bench layer_norm"), "nothing was timed: " + said);
    }

    @Test
    void lectureJsonCarriesTheExperimentsClaimAndWhetherItReproduced() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.lecture("5", true, null, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(0, status);
        JsonObject doc = JsonParser.parseString(out.toString(StandardCharsets.UTF_8)).getAsJsonObject();
        JsonObject r = doc.getAsJsonArray("lecture").get(0).getAsJsonObject();
        assertEquals("instance-norm", r.get("experiment").getAsString());
        assertTrue(r.get("claim").getAsString().startsWith("Instance norm removes"), r::toString);
        assertTrue(r.get("reproduced").getAsBoolean(), r::toString);
        assertEquals(2, Main.lecture("six", false, null, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream())));
    }
}
