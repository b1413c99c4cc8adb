package io.norm4j.hardening;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/** Under ci/checkjni.sh the test JVM really runs with -Xcheck:jni (so a clean run means something). */
class JvmArgumentsTest {
    @Test
    void checkJniIsOnWhenTheProfileAsksForIt() {
        if (!Boolean.getBoolean("norm4j.expectCheckJni")) return; // an ordinary test run
        assertTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xcheck:jni"),
                () -> "JVM arguments: " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    }
}
