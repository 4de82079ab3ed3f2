package dev.wasmerffm;

/** Iteration counts: the fast suite by default, the long one with {@code -Dwasmer.reliability=long}. */
public final class Scale {

    public static final boolean LONG = "long".equals(System.getProperty("wasmer.reliability"));

    private Scale() {}

    public static int of(int fast, int longRun) {
        return LONG ? longRun : fast;
    }
}
