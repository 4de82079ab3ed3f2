package dev.wasmerffm.internal.store;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The process's file descriptor headroom. libwasmer's {@code wasi_config_new} builds a tokio runtime and unwraps the
 * result, so out of descriptors it panics (aborting the JVM) instead of failing: a WASI environment is only made
 * when enough are free.
 */
public final class FileDescriptors {

    /**
     * Free descriptors a WASI environment needs: it takes 7 (an epoll instance, event and signal descriptors;
     * measured with libwasmer 7.4.2), the first one in a process 2 more for tokio's signal pipe, and the rest is
     * left to the JVM and the guest's first files.
     */
    public static final int WASI_ENVIRONMENT = 16;

    private static final OperatingSystemMXBean OS = ManagementFactory.getOperatingSystemMXBean();

    private FileDescriptors() {}

    /** Null if {@code needed} descriptors are free (or the platform cannot count them), else why not. */
    public static String shortfall(int needed, String what) {
        if (!(OS instanceof UnixOperatingSystemMXBean unix)) {
            return null; // Windows: no per-process descriptor cap to run out of
        }
        long max = unix.getMaxFileDescriptorCount();
        long open = unix.getOpenFileDescriptorCount(); // -1 when even the count found no descriptor to list with
        if (open >= 0 && max - open >= needed) {
            return null;
        }
        return what + " needs " + needed + " free file descriptors and "
                + (open < 0 ? "none could be opened to count them" : (max - open) + " of " + max + " are free")
                + "; libwasmer would abort the process. Close what holds descriptors (stores with WASI environments"
                + " hold theirs until the store is closed) or raise the limit (ulimit -n)";
    }
}
