package io.norm4j.spark;

import io.norm4j.ChannelMoments;
import io.norm4j.Layout;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * SyncBatchNorm's forward on a local-cluster master (executors in JVMs of their own, so shards and
 * moments cross process boundaries serialized), run by LocalClusterTest in a JVM of its own. Prints
 * the process ids of the driver and of the executors, then the merged moments' mean and m2 of every
 * channel, one line each.
 */
public final class LocalClusterMain {
    public static void main(String[] args) {
        String classpath = args[0], javaOptions = args[1];
        SparkSession spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("norm4j-local-cluster")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
                .config("spark.executor.extraClassPath", classpath)
                .config("spark.executor.extraJavaOptions", javaOptions).getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<List<BatchShard>> groups = new ArrayList<>();
            for (int p = 0; p < 2; p++) {
                float[] values = new float[3 * 4];
                for (int i = 0; i < values.length; i++) values[i] = (float) Math.sin(1 + i + 100 * p) * 10 + 1000;
                groups.add(List.of(new BatchShard(new long[] {3, 4}, values)));
            }
            List<SyncBatchNorm.Normalized> out = new SyncBatchNorm(4, Layout.NCHW, 1e-5)
                    .forward(jsc.parallelize(groups, 2).flatMap(List::iterator)).collect();
            ChannelMoments m = out.get(0).moments();
            List<Long> pids = jsc.parallelize(List.of(1, 2, 3, 4), 2).map(i -> ProcessHandle.current().pid()).collect();
            System.out.println("driver " + ProcessHandle.current().pid() + " executors " + new java.util.TreeSet<>(pids));
            for (int c = 0; c < m.channels(); c++) System.out.println("channel " + c + " " + m.mean(c) + " " + m.m2(c));
        } finally {
            spark.stop();
        }
    }
}
