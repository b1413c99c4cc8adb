package io.norm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.ChannelMoments;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SyncBatchNorm on Spark's local-cluster master, whose executors are JVMs of their own: the shards
 * and the moments cross process boundaries serialized, and the merged moments equal the whole
 * batch's. local-cluster launches executors as a Spark distribution would; without one, Spark's
 * launcher builds their command in its testing mode (SPARK_TESTING) from the classpath given
 * here, so the run happens in a JVM of its own with that environment.
 */
class LocalClusterTest {
    @Test
    void mergedMomentsCrossExecutorProcesses(@TempDir Path home) throws Exception {
        String classpath = System.getProperty("java.class.path");
        List<String> jvmOptions = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.") || arg.startsWith("-Dio.netty")) jvmOptions.add(arg);
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, LocalClusterMain.class.getName(), classpath, String.join(" ", jvmOptions)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_TESTING", "1");
        env.put("SPARK_SCALA_VERSION", "2.13");
        Process p = builder.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "local-cluster run did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        String processes = text.lines().filter(l -> l.startsWith("driver ")).findFirst().orElseThrow();
        String driver = processes.split(" ")[1];
        assertTrue(!processes.substring(processes.indexOf("executors")).contains(driver), processes);

        float[] whole = new float[6 * 4];
        for (int part = 0; part < 2; part++)
            for (int i = 0; i < 12; i++) whole[12 * part + i] = (float) Math.sin(1 + i + 100 * part) * 10 + 1000;
        try (Tensor x = Tensor.of(whole, 6, 4)) {
            ChannelMoments expected = Norms.on(io.norm4j.Backend.REFERENCE).batchNormMoments(x, Layout.NCHW);
            for (int c = 0; c < 4; c++) {
                String line = text.lines().filter(l -> l.startsWith("channel ")).toList().get(c);
                String[] f = line.split(" ");
                assertEquals(expected.mean(c), Double.parseDouble(f[2]), ChannelMoments.meanBound(2, 6, 1011, 11), line);
                assertEquals(expected.m2(c), Double.parseDouble(f[3]),
                        ChannelMoments.m2Bound(2, 6, expected.m2(c), 1011, 11), line);
            }
        }
    }
}
