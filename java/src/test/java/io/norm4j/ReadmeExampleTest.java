package io.norm4j;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java examples (those of the core API) compile against the real API and run. */
class ReadmeExampleTest {
    @Test
    void javaExamplesInTheReadmeCompileAndRun(@TempDir Path dir) throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> classes = new ArrayList<>();
        while (m.find()) {
            String code = m.group(1);
            // The Spark examples need Spark: norm4j-spark's DocsExampleTest compiles and runs them.
            if (code.contains("import io.norm4j.spark.")) continue;
            Matcher name = Pattern.compile("public class (\\w+)").matcher(code);
            assertTrue(name.find(), "each README Java block is a complete public class");
            Files.writeString(dir.resolve(name.group(1) + ".java"), code);
            classes.add(name.group(1));
        }
        assertFalse(classes.isEmpty(), "README has Java examples");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        for (String c : classes) {
            int status = javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", dir.toString(),
                    dir.resolve(c + ".java").toString());
            assertTrue(status == 0, c + " does not compile");
        }
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            for (String c : classes) loader.loadClass(c).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(saved);
        }
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("rstd[0]"));
    }
}
