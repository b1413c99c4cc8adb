package io.norm4j.parity;

import java.util.List;
import java.util.Map;

/**
 * Tolerances for backward outputs, by the same reasoning as {@link TolerancePolicy}: a few f32
 * roundings of each output's own scale, plus, for a backend summing in f32, the random-walk error
 * of its sums. With xhat = (x - mean) * rstd and g = dy * w:
 *
 * <ul>
 *   <li>dx = rstd (g - a - xhat b), a = mean(g), b = mean(g xhat): scale rstd (|g| + |a| + |xhat b|);
 *       f32 sums of n terms add rstd u sqrt(n) max|g| (1 + max|xhat|^2);
 *   <li>dweight = sum dy xhat and dbias = sum dy per channel: scale sum |dy xhat| and sum |dy|;
 *       f32 sums of m terms add u sqrt(m) times the same.
 * </ul>
 */
final class BackwardTolerance {
    private BackwardTolerance() {}

    /**
     * @param dy the output gradient in the tensor's memory order
     * @param mean saved mean per group (null: 0, RMS norm)
     * @param rstd saved rstd per group
     * @param w per-channel weight, or null
     * @param centred whether dx has the a term (false for RMS norm)
     * @param batchStatistics false when the statistics are constants (dx = rstd g)
     */
    static List<ParityResult.Check> checks(GroupedData data, float[] dy, float[] mean, float[] rstd, float[] w,
            boolean centred, boolean batchStatistics, TolerancePolicy.StatisticsPrecision precision,
            Map<String, float[]> got, Map<String, float[]> ref, int channels) {
        GroupedData.Indexing ix = data.index;
        int k = ix.groupSize();
        double f32 = precision == TolerancePolicy.StatisticsPrecision.F32 ? TolerancePolicy.STATISTICS_ROUNDINGS : 0;
        double u = TolerancePolicy.UNIT_ROUNDOFF, r = TolerancePolicy.OUTPUT_ROUNDINGS * u;
        double dxTol = 0;
        double[] sumAbsDw = new double[channels], sumAbsDb = new double[channels];
        int[] termsPerChannel = new int[channels];
        for (int g = 0; g < ix.groups(); g++) {
            double m = mean == null ? 0 : mean[g], rs = rstd[g];
            double sumG = 0, sumGx = 0, maxG = 0, maxX = 0;
            double[] xhat = new double[k], gg = new double[k];
            for (int j = 0; j < k; j++) {
                int o = ix.offset(g, j), ch = ix.channel(g, j);
                xhat[j] = (data.tensor[o] - m) * rs;
                gg[j] = dy[o] * (w == null ? 1.0 : w[ch]);
                sumG += gg[j];
                sumGx += gg[j] * xhat[j];
                sumAbsDw[ch] += Math.abs(dy[o] * xhat[j]);
                sumAbsDb[ch] += Math.abs(dy[o]);
                termsPerChannel[ch]++;
            }
            // With batch statistics a group's non-finite sums make all its dx non-finite: compared
            // exactly. With constant statistics dx = rstd g does not involve x at all.
            if (batchStatistics && !Double.isFinite(sumG + sumGx)) continue;
            double a = batchStatistics && centred ? sumG / k : 0, b = batchStatistics ? sumGx / k : 0;
            double groupTol = 0;
            for (int j = 0; j < k; j++) {
                maxG = Math.max(maxG, Math.abs(gg[j]));
                maxX = Math.max(maxX, Math.abs(xhat[j]));
                double term = r * rs * (Math.abs(gg[j]) + Math.abs(a) + (b == 0 ? 0 : Math.abs(xhat[j] * b)));
                if (Double.isFinite(term)) groupTol = Math.max(groupTol, term);
            }
            if (batchStatistics) groupTol += f32 * u * rs * Math.sqrt(k) * maxG * (1 + maxX * maxX);
            dxTol = Math.max(dxTol, groupTol);
        }
        double dwTol = 0, dbTol = 0;
        for (int ch = 0; ch < channels; ch++) {
            double grow = r + f32 * u * Math.sqrt(termsPerChannel[ch]);
            if (Double.isFinite(sumAbsDw[ch])) dwTol = Math.max(dwTol, grow * sumAbsDw[ch]);
            if (Double.isFinite(sumAbsDb[ch])) dbTol = Math.max(dbTol, grow * sumAbsDb[ch]);
        }
        List<ParityResult.Check> checks = new java.util.ArrayList<>();
        checks.add(Comparison.check("dx", got.get("dx"), ref.get("dx"), dxTol));
        if (got.containsKey("dweight")) checks.add(Comparison.check("dweight", got.get("dweight"), ref.get("dweight"), dwTol));
        if (got.containsKey("dbias")) checks.add(Comparison.check("dbias", got.get("dbias"), ref.get("dbias"), dbTol));
        return List.copyOf(checks);
    }
}
