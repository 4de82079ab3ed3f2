package dev.wasmerffm.reliability;

/** Iteration counts: the fast suite by default, the long one with {@code -Dwasmer.reliability=long}. */
final class Scale {

    static final boolean LONG = "long".equals(System.getProperty("wasmer.reliability"));

    private Scale() {
    }

    static int of(int fast, int longRun) {
        return LONG ? longRun : fast;
    }
}
