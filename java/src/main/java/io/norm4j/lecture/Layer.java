package io.norm4j.lecture;

import java.util.List;

/** One layer of the experiments' networks, over a batch of n rows of its width. */
interface Layer {
    /** The output for input x ([n, width]); train selects batch statistics where a norm has them. */
    float[] forward(float[] x, int n, boolean train);

    /** The input gradient for output gradient dy; parameter gradients accumulate. */
    float[] backward(float[] dy, int n);

    default List<Param> params() {
        return List.of();
    }

    default void zeroGrad() {}

    /** The output width for an input of width inWidth. */
    default int width(int inWidth) {
        return inWidth;
    }

    /** max(x, 0). */
    static Layer relu() {
        return new Layer() {
            private float[] x;

            @Override
            public float[] forward(float[] x, int n, boolean train) {
                this.x = x;
                float[] y = new float[x.length];
                for (int i = 0; i < x.length; i++) y[i] = Math.max(x[i], 0f);
                return y;
            }

            @Override
            public float[] backward(float[] dy, int n) {
                float[] dx = new float[dy.length];
                for (int i = 0; i < dy.length; i++) dx[i] = x[i] > 0 ? dy[i] : 0f;
                return dx;
            }
        };
    }
}
