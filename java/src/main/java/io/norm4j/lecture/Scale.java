package io.norm4j.lecture;

/** How large an experiment runs: the CLI's full size, or the tests' reduced one (seconds). */
enum Scale {
    FULL, QUICK;

    int pick(int full, int quick) {
        return this == FULL ? full : quick;
    }
}
