package io.norm4j.lecture;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** Plain SGD, or Adam (Kingma and Ba, 2015) with its usual constants. */
abstract class Optimizer {
    final double lr;

    Optimizer(double lr) {
        this.lr = lr;
    }

    /** One step on every parameter, from the gradients of the last backward pass. */
    final void step(List<Param> params) {
        for (Param p : params) {
            p.pull();
            update(p);
            p.push();
        }
    }

    abstract void update(Param p);

    static Optimizer sgd(double lr) {
        return new Optimizer(lr) {
            @Override
            void update(Param p) {
                for (int i = 0; i < p.value.length; i++) p.value[i] -= (float) (lr * p.grad[i]);
            }
        };
    }

    static Optimizer adam(double lr) {
        return new Optimizer(lr) {
            static final double BETA1 = 0.9, BETA2 = 0.999, EPS = 1e-8;
            private final Map<Param, double[][]> moments = new IdentityHashMap<>();
            private final Map<Param, int[]> steps = new IdentityHashMap<>();

            @Override
            void update(Param p) {
                double[][] m = moments.computeIfAbsent(p, k -> new double[2][k.value.length]);
                int t = ++steps.computeIfAbsent(p, k -> new int[1])[0];
                double c1 = 1 - Math.pow(BETA1, t), c2 = 1 - Math.pow(BETA2, t);
                for (int i = 0; i < p.value.length; i++) {
                    m[0][i] = BETA1 * m[0][i] + (1 - BETA1) * p.grad[i];
                    m[1][i] = BETA2 * m[1][i] + (1 - BETA2) * p.grad[i] * p.grad[i];
                    p.value[i] -= (float) (lr * (m[0][i] / c1) / (Math.sqrt(m[1][i] / c2) + EPS));
                }
            }
        };
    }
}
