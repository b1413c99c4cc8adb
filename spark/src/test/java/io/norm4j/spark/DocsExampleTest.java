package io.norm4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java examples that use this module (the README's, docs/spark.md's) compile against it and
 * Spark, and run, each in a JVM of its own (an example starts and stops its own Spark session).
 */
class DocsExampleTest {
    @Test
    void sparkExamplesInTheDocsCompileAndRun(@TempDir Path dir) throws Exception {
        String doc = Files.readString(Path.of("..", "README.md")) + Files.readString(Path.of("..", "docs", "spark.md"));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(doc);
        List<String> classes = new ArrayList<>();
        while (m.find()) {
            if (!m.group(1).contains("import io.norm4j.spark.")) continue;
            Matcher name = Pattern.compile("public class (\\w+)").matcher(m.group(1));
            assertTrue(name.find(), "each Java block is a complete public class");
            Files.writeString(dir.resolve(name.group(1) + ".java"), m.group(1));
            classes.add(name.group(1));
        }
        assertFalse(classes.isEmpty(), "the README has a Spark example");
        String classpath = System.getProperty("java.class.path");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        for (String c : classes) {
            assertEquals(0, javac.run(null, null, null, "-cp", classpath, "-d", dir.toString(), dir.resolve(c + ".java").toString()),
                    c + " does not compile");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String c : classes) {
            List<String> command = new ArrayList<>(List.of(java));
            // This JVM's module openings (Spark's, from the build's argLine).
            for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
                if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.") || arg.startsWith("-Dio.netty")) command.add(arg);
            }
            command.addAll(List.of("-cp", dir + File.pathSeparator + classpath, c));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(300, TimeUnit.SECONDS), c + " did not finish");
            String text = new String(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), c + " failed:\n" + text);
            assertTrue(text.contains("mean [0.5, 0.5], std [0.5, 0.5]"), text);
        }
    }
}
