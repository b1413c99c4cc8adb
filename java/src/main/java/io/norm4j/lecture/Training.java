package io.norm4j.lecture;

import java.util.Random;

/** Mini-batch training of a {@link Network} for a number of epochs over shuffled data. */
final class Training {
    private Training() {}

    /** Trains net on train in batches of batchSize (the last partial batch is dropped), seeded. */
    static void epochs(Network net, Data train, int batchSize, int epochs, Optimizer opt, long seed) {
        Random rnd = new Random(seed);
        for (int e = 0; e < epochs; e++) {
            int[] order = train.shuffled(rnd);
            for (int from = 0; from + batchSize <= train.n(); from += batchSize) {
                Data b = train.batch(order, from, batchSize);
                net.lossAndGradients(b.x(), b.labels(), batchSize);
                opt.step(net.params());
            }
        }
    }

    /**
     * Mean loss over the data in batches of 256, in evaluation mode: no injected noise, and batch
     * norm on its running statistics, or on each batch's where it keeps none.
     */
    static double loss(Network net, Data data) {
        double total = 0;
        int counted = 0;
        int[] order = new int[data.n()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        for (int from = 0; from < data.n(); from += 256) {
            int count = Math.min(256, data.n() - from);
            if (count < 2) break;
            Data b = data.batch(order, from, count);
            total += Network.crossEntropy(net.logits(b.x(), count, false), b.labels(), count, null) * count;
            counted += count;
        }
        return total / counted;
    }
}
