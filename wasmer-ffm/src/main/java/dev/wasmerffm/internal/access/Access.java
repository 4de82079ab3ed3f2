package dev.wasmerffm.internal.access;

/**
 * The access bridge: {@code dev.wasmerffm} registers its {@link CoreAccess} when {@code Store} is initialized, and
 * the binding's other packages read it once into a {@code static final} field (no bridge read per call).
 */
public final class Access {

    private static volatile CoreAccess core;

    private Access() {}

    /** Called once, from {@code Store}'s static initializer. */
    public static void setCore(CoreAccess access) {
        if (core != null) {
            throw new IllegalStateException("CoreAccess already set");
        }
        core = access;
    }

    /** The object model's accessor; initializes {@code Store} first if no one has yet. */
    public static CoreAccess core() {
        CoreAccess c = core;
        if (c == null) {
            try {
                Class.forName("dev.wasmerffm.Store", true, Access.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            c = core;
        }
        return c;
    }
}
