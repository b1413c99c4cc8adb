package io.norm4j.spark;

import java.util.UUID;

/** Spark ML's uid form: a prefix and 12 random hex digits. */
final class Uids {
    private Uids() {}

    static String random(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }
}
