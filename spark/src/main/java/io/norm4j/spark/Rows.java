package io.norm4j.spark;

import java.util.List;
import org.apache.spark.sql.Row;

/** A saved model's array cells read back as Java arrays. */
final class Rows {
    private Rows() {}

    static long[] longs(Row row, int i) {
        List<Long> l = row.getList(i);
        long[] a = new long[l.size()];
        for (int k = 0; k < a.length; k++) a[k] = l.get(k);
        return a;
    }

    static double[] doubles(Row row, int i) {
        List<Double> l = row.getList(i);
        double[] a = new double[l.size()];
        for (int k = 0; k < a.length; k++) a[k] = l.get(k);
        return a;
    }

    static float[] floats(Row row, int i) {
        List<Float> l = row.getList(i);
        float[] a = new float[l.size()];
        for (int k = 0; k < a.length; k++) a[k] = l.get(k);
        return a;
    }
}
