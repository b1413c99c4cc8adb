package io.norm4j;

/**
 * A validated layer norm call, flattened to a [rows, cols] matrix: rows is the product of the
 * leading dimensions of x, cols of the normalized ones. weight, bias, mean and rstd may be null.
 */
record LayerNormCall(
        Tensor x, Tensor y, long rows, long cols, Tensor weight, Tensor bias, float eps, Tensor mean, Tensor rstd) {

    boolean training() {
        return mean != null;
    }
}
