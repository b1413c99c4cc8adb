package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Under ci/checkjni.sh the test JVM really runs with -Xcheck:jni (so a clean run means something). */
class JvmArgumentsTest {
    @Test
    void checkJniIsOnWhenTheProfileAsksForIt() {
        assumeTrue(Boolean.getBoolean("norm4j.expectCheckJni"), "an ordinary test run: only ci/checkjni.sh expects -Xcheck:jni");
        assertTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xcheck:jni"),
                () -> "JVM arguments: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
}
