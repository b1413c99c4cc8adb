package io.norm4j;

/** A backend failed while running a valid call (for example a oneDNN error). */
public class Norm4jException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public Norm4jException(String message) {
        super(message);
    }

    public Norm4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
