package io.norm4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.norm4j.ChannelMoments;
import io.norm4j.Layout;
import io.norm4j.Norms;
import io.norm4j.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * SyncBatchNorm in barrier stages under local[2]: one batch cut along N into shards on 2 partitions
 * (3 shards, or all on one partition and none on the other). Forward: each shard's y within twice
 * the forward's bound of the single-process call on the whole batch, the running statistics the
 * driver updates from the merged moments as that call's; backward: dx, dweight and dbias within
 * twice the backward's goal (1e-5 of the largest magnitude) of the single-process backward, on easy
 * and ill-conditioned input, both layouts. Bad shards fail every task with one message.
 */
class SyncBatchNormTest {
    static final double EPS = 1e-5, MOMENTUM = 0.1, GOAL = 1e-5;

    /**
     * The core parity policy's forward bound for backends with double statistics (its
     * TolerancePolicy.outputTolerance: 8 f32 roundings at the output scale; the parity harness is
     * not in the API jar this module builds on), doubled: both calls are held to it.
     */
    static double forwardBound(double outputScale) {
        return 2 * 8 * 0x1p-24 * outputScale;
    }

    static JavaSparkContext jsc() {
        return JavaSparkContext.fromSparkContext(SparkSessions.local().sparkContext());
    }

    /** Shards of x (dims with N first) cut at the given sample counts. */
    static List<BatchShard> cut(float[] x, long[] dims, int[] samples) {
        int perSample = (int) (x.length / dims[0]);
        List<BatchShard> shards = new ArrayList<>();
        int first = 0;
        for (int n : samples) {
            long[] d = dims.clone();
            d[0] = n;
            shards.add(new BatchShard(d, Arrays.copyOfRange(x, first * perSample, (first + n) * perSample)));
            first += n;
        }
        return shards;
    }

    /** The shards spread over exactly 2 partitions: the first `onFirst` shards on partition 0. */
    static <T> JavaRDD<T> twoPartitions(List<T> shards, int onFirst) {
        // One group per partition, flattened: a barrier stage takes an RDD with one parent only.
        List<ArrayList<T>> groups = List.of(new ArrayList<>(shards.subList(0, onFirst)),
                new ArrayList<>(shards.subList(onFirst, shards.size())));
        return jsc().parallelize(groups, 2).flatMap(ArrayList::iterator);
    }

    static float[] concat(List<BatchShard> shards) {
        int n = 0;
        for (BatchShard s : shards) n += s.values().length;
        float[] all = new float[n];
        int at = 0;
        for (BatchShard s : shards) {
            System.arraycopy(s.values(), 0, all, at, s.values().length);
            at += s.values().length;
        }
        return all;
    }

    @ParameterizedTest(name = "{0} mean {1} std {2} onFirst {3}")
    @CsvSource({"NCHW, 0, 1, 2", "NHWC, 0, 1, 2", "NCHW, 1e4, 1e-2, 2", "NHWC, 1e3, 1e-3, 2", "NCHW, 0, 1, 3"})
    void shardedStepEqualsTheSingleProcessStep(Layout layout, double mu, double sigma, int onFirst) {
        long[] dims = layout == Layout.NCHW ? new long[] {6, 8, 5, 5} : new long[] {6, 5, 5, 8};
        int c = 8, numel = 6 * 8 * 25;
        Random rnd = new Random(17);
        float[] x = new float[numel], dy = new float[numel], w = new float[c], b = new float[c];
        for (int i = 0; i < numel; i++) {
            x[i] = (float) (mu + sigma * rnd.nextGaussian());
            dy[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < c; i++) {
            w[i] = (float) (0.5 + rnd.nextDouble());
            b[i] = (float) rnd.nextGaussian();
        }
        SyncBatchNorm module = new SyncBatchNorm(c, layout, EPS).withAffine(w, b);
        int[] samples = {1, 2, 3};
        List<SyncBatchNorm.Normalized> forward = module.forward(twoPartitions(cut(x, dims, samples), onFirst)).collect();
        ChannelMoments moments = forward.get(0).moments();
        List<BatchShard> ys = new ArrayList<>();
        for (SyncBatchNorm.Normalized n : forward) {
            assertEquals(moments, n.moments());
            ys.add(n.y());
        }
        List<SyncBatchNorm.BackwardShard> backIn = new ArrayList<>();
        List<BatchShard> xs = cut(x, dims, samples), dys = cut(dy, dims, samples);
        for (int k = 0; k < samples.length; k++) backIn.add(new SyncBatchNorm.BackwardShard(xs.get(k), dys.get(k), moments));
        List<SyncBatchNorm.Gradients> backward = module.backward(twoPartitions(backIn, onFirst)).collect();
        List<BatchShard> dxs = new ArrayList<>();
        for (SyncBatchNorm.Gradients g : backward) {
            assertEquals(backward.get(0).sums(), g.sums());
            dxs.add(g.dx());
        }

        Norms norms = Norms.auto();
        try (Tensor tx = Tensor.of(x, dims); Tensor ty = Tensor.allocate(dims); Tensor tw = Tensor.of(w, c);
                Tensor tb = Tensor.of(b, c); Tensor mean = Tensor.allocate(c); Tensor rstd = Tensor.allocate(c);
                Tensor rm = Tensor.allocate(c).fill(0f); Tensor rv = Tensor.allocate(c).fill(1f);
                Tensor rmSharded = Tensor.allocate(c).fill(0f); Tensor rvSharded = Tensor.allocate(c).fill(1f);
                Tensor tdy = Tensor.of(dy, dims); Tensor tdx = Tensor.allocate(dims); Tensor dw = Tensor.allocate(c);
                Tensor db = Tensor.allocate(c)) {
            norms.batchNormTraining(tx, layout, rm, rv, tw, tb, MOMENTUM, EPS, ty, mean, rstd);
            norms.batchNormBackward(tx, tdy, layout, tw, mean, rstd, tdx, dw, db);
            float[] y = ty.toArray();
            assertWithin("y", y, concat(ys), forwardBound(maxAbs(y)));
            assertWithin("dx", tdx.toArray(), concat(dxs), 2 * GOAL * maxAbs(tdx.toArray()));
            assertWithin("dweight", dw.toArray(), backward.get(0).sums().dweight(), 2 * GOAL * maxAbs(dw.toArray()));
            assertWithin("dbias", db.toArray(), backward.get(0).sums().dbias(), 2 * GOAL * maxAbs(db.toArray()));
            moments.updateRunningStatistics(rmSharded, rvSharded, MOMENTUM);
            float[] m1 = rm.toArray(), m2 = rmSharded.toArray(), v1 = rv.toArray(), v2 = rvSharded.toArray();
            for (int i = 0; i < c; i++) {
                assertEquals(m1[i], m2[i], 2 * Math.ulp(m1[i]), "running mean " + i);
                assertEquals(v1[i], v2[i], 2 * Math.ulp(v1[i]), "running var " + i);
            }
        }
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) m = Math.max(m, Math.abs(f));
        return m;
    }

    static void assertWithin(String what, float[] expected, float[] actual, double bound) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double e = Math.abs(expected[i] - actual[i]);
            int at = i;
            assertTrue(e <= bound, () -> what + " off by " + e + " at " + at + " (bound " + bound + ")");
        }
    }

    @Test
    void aNaNInOneShardMakesItsChannelNaNOnEveryPartition() {
        float[] a = {1, 2, 3, 4}, bad = {5, Float.NaN, 7, 8}; // [2, 2] each: channel 1 gets the NaN
        List<BatchShard> shards = List.of(new BatchShard(new long[] {2, 2}, a), new BatchShard(new long[] {2, 2}, bad));
        List<SyncBatchNorm.Normalized> out = new SyncBatchNorm(2, Layout.NCHW, EPS).forward(twoPartitions(shards, 1)).collect();
        for (SyncBatchNorm.Normalized n : out) {
            float[] y = n.y().values();
            assertTrue(Float.isFinite(y[0]) && Float.isFinite(y[2]), Arrays.toString(y));
            assertTrue(Float.isNaN(y[1]) && Float.isNaN(y[3]), Arrays.toString(y));
        }
    }

    @Test
    void aShardOfOtherChannelsFailsEveryTaskWithOneMessage() {
        List<BatchShard> shards = List.of(new BatchShard(new long[] {2, 3}, new float[6]),
                new BatchShard(new long[] {2, 4}, new float[8]));
        Exception e = assertThrows(Exception.class,
                () -> new SyncBatchNorm(3, Layout.NCHW, EPS).forward(twoPartitions(shards, 1)).collect());
        String all = ScalerEstimatorTest.rootMessage(e);
        assertTrue(all.contains("partition 1: shard 0 has 4 channels"), all);
        assertTrue(all.contains("SyncBatchNorm has 3"), all);
    }

    @Test
    void theModuleRefusesBadSettingsByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SyncBatchNorm(0, Layout.NCHW, EPS));
        assertTrue(e.getMessage().contains("channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new SyncBatchNorm(2, Layout.NCHW, -1));
        assertTrue(e.getMessage().contains("eps"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SyncBatchNorm(2, Layout.NCHW, EPS).withAffine(new float[3], new float[2]));
        assertTrue(e.getMessage().contains("weight and bias must have 2 values"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new BatchShard(new long[] {2, 2}, new float[3]));
        assertTrue(e.getMessage().contains("values has 3 elements"), e.getMessage());
        assertArrayEquals(new long[] {2, 2}, new BatchShard(new long[] {2, 2}, new float[4]).dims());
    }
}
