package io.norm4j.spark;

import org.apache.spark.sql.SparkSession;

/** One local[2] session for the module's tests (a barrier stage needs a slot per partition: at most 2 here). */
final class SparkSessions {
    private SparkSessions() {}

    private static SparkSession session;

    static synchronized SparkSession local() {
        if (session == null) {
            session = SparkSession.builder().master("local[2]").appName("norm4j-spark-tests")
                    .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1").getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }
}
